using Lifeline.Server.Edits;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Lifeline.Server.App.Channels;

/// <summary>The channel page's buttons: send a test notice, delete. Admin only, antiforgery checked.</summary>
public static class ChannelActionsApi
{
    public static IEndpointRouteBuilder MapChannelActions(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/channels/{id}").RequireAuthorization(AppRoles.AdminPolicy).DisableAntiforgery();
        group.MapPost("/test", async (string id, HttpContext context, IAntiforgery antiforgery, ChannelWrites writes) =>
        {
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return Expired();
            }
            return await writes.SendTestAsync(id, context.RequestAborted) is { } outboxId
                ? Results.Redirect($"/channels/{Uri.EscapeDataString(id)}?tested={outboxId}")
                : NotFound(id);
        });
        group.MapPost("/delete", async (string id, HttpContext context, IAntiforgery antiforgery, ChannelWrites writes) =>
        {
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return Expired();
            }
            return await writes.DeleteAsync(id, context.RequestAborted) ? Results.Redirect("/channels?deleted=1") : NotFound(id);
        });
        return app;
    }

    private static IResult Expired() =>
        Results.BadRequest(new { error = "the form has expired; reload the page and try again" });

    private static IResult NotFound(string id) =>
        Results.NotFound(new { error = $"channel '{id}' not found" });
}
