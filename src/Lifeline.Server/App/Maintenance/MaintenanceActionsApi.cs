using Lifeline.Server.App.Forms;
using Lifeline.Server.Edits;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Lifeline.Server.App.Maintenance;

/// <summary>The maintenance buttons: end a window now, delete one. Admin only, antiforgery checked.</summary>
public static class MaintenanceActionsApi
{
    public static IEndpointRouteBuilder MapMaintenanceActions(this IEndpointRouteBuilder app)
    {
        var group = app.MapAdminFormPosts("/maintenance/{id}");
        group.MapPost("/end", async (string id, HttpContext context, MaintenanceWrites writes) =>
        {
            var result = await writes.EndAsync(id, context.RequestAborted);
            return result.Outcome == WriteOutcome.NotFound
                ? NotFound(id)
                : Results.Redirect($"/maintenance?done={(result.Outcome == WriteOutcome.Done ? "ended" : "end-failed")}");
        });
        group.MapPost("/delete", async (string id, HttpContext context, MaintenanceWrites writes) =>
        {
            return await writes.DeleteAsync(id, context.RequestAborted) ? Results.Redirect("/maintenance?done=deleted") : NotFound(id);
        });
        return app;
    }

    private static IResult NotFound(string id) =>
        Results.NotFound(new { error = $"maintenance window '{id}' not found" });
}
