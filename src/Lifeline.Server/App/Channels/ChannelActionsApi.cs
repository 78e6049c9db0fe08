using Lifeline.Server.App.Forms;
using Lifeline.Server.Edits;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Lifeline.Server.App.Channels;

/// <summary>The channel page's buttons: send a test notice, delete. Admin only, antiforgery checked.</summary>
public static class ChannelActionsApi
{
    public static IEndpointRouteBuilder MapChannelActions(this IEndpointRouteBuilder app)
    {
        var group = app.MapAdminFormPosts("/channels/{id}");
        group.MapPost("/test", async (string id, HttpContext context, ChannelWrites writes) =>
        {
            return await writes.SendTestAsync(id, context.RequestAborted) is { } outboxId
                ? Results.Redirect($"/channels/{Uri.EscapeDataString(id)}?tested={outboxId}")
                : NotFound(id);
        });
        group.MapPost("/delete", async (string id, HttpContext context, ChannelWrites writes) =>
        {
            return await writes.DeleteAsync(id, context.RequestAborted) ? Results.Redirect("/channels?deleted=1") : NotFound(id);
        });
        return app;
    }

    private static IResult NotFound(string id) =>
        Results.NotFound(new { error = $"channel '{id}' not found" });
}
