using Lifeline.Server.Edits;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Lifeline.Server.App.Maintenance;

/// <summary>The maintenance buttons: end a window now, delete one. Admin only, antiforgery checked.</summary>
public static class MaintenanceActionsApi
{
    public static IEndpointRouteBuilder MapMaintenanceActions(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/maintenance/{id}").RequireAuthorization(AppRoles.AdminPolicy).DisableAntiforgery();
        group.MapPost("/end", async (string id, HttpContext context, IAntiforgery antiforgery, MaintenanceWrites writes) =>
        {
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return Expired();
            }
            var result = await writes.EndAsync(id, context.RequestAborted);
            return result.Outcome == WriteOutcome.NotFound
                ? NotFound(id)
                : Results.Redirect($"/maintenance?done={(result.Outcome == WriteOutcome.Done ? "ended" : "end-failed")}");
        });
        group.MapPost("/delete", async (string id, HttpContext context, IAntiforgery antiforgery, MaintenanceWrites writes) =>
        {
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return Expired();
            }
            return await writes.DeleteAsync(id, context.RequestAborted) ? Results.Redirect("/maintenance?done=deleted") : NotFound(id);
        });
        return app;
    }

    private static IResult Expired() =>
        Results.BadRequest(new { error = "the form has expired; reload the page and try again" });

    private static IResult NotFound(string id) =>
        Results.NotFound(new { error = $"maintenance window '{id}' not found" });
}
