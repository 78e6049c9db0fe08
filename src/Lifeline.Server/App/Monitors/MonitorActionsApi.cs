using Lifeline.Server.App.Forms;
using Lifeline.Server.Edits;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Lifeline.Server.App.Monitors;

/// <summary>
/// The form posts behind <see cref="MonitorActions"/>: admin only, antiforgery checked, each doing
/// what the admin API's action does (<see cref="MonitorWrites"/>) and going back to the page it came from.
/// </summary>
public static class MonitorActionsApi
{
    public static IEndpointRouteBuilder MapMonitorActions(this IEndpointRouteBuilder app)
    {
        var group = app.MapAdminFormPosts("/monitors/{id}");
        group.MapPost("/pause", (string id, HttpContext context, MonitorWrites writes) =>
            ActAsync(context, id, async ct => await writes.PauseAsync(id, ct) is null ? null : "paused"));
        group.MapPost("/resume", (string id, HttpContext context, MonitorWrites writes) =>
            ActAsync(context, id, async ct => await writes.ResumeAsync(id, ct) is null ? null : "resumed"));
        group.MapPost("/rotate-token", (string id, HttpContext context, MonitorWrites writes) =>
            ActAsync(context, id, async ct => (await writes.RotateTokenAsync(id, ct)).Outcome switch
            {
                WriteOutcome.NotFound => null,
                WriteOutcome.Done => "rotated",
                _ => "rotate-failed",
            }));
        group.MapPost("/ack", (string id, HttpContext context, MonitorWrites writes) =>
            ActAsync(context, id, async ct => (await writes.AcknowledgeAsync(id, context.User.Identity?.Name ?? "app", ct)).Outcome switch
            {
                WriteOutcome.NotFound => null,
                WriteOutcome.Done => "acknowledged",
                _ => "ack-failed",
            }));
        group.MapPost("/delete", async (string id, HttpContext context, MonitorWrites writes) =>
        {
            return (await writes.DeleteAsync(id, context.RequestAborted)).Outcome switch
            {
                WriteOutcome.Done => Results.Redirect("/?deleted=1"),
                WriteOutcome.NotFound => MonitorNotFound(id),
                // A monitor from the config file: back to its page, which says so.
                _ => Results.Redirect(ReturnPath.With($"/monitors/{Uri.EscapeDataString(id)}", "done", "managed")),
            };
        });
        return app;
    }

    /// <param name="act">Does the action; the word for the page's notice, or null when the monitor is unknown.</param>
    private static async Task<IResult> ActAsync(HttpContext context, string id, Func<CancellationToken, Task<string?>> act)
    {
        var done = await act(context.RequestAborted);
        return done is null
            ? MonitorNotFound(id)
            : Results.Redirect(ReturnPath.With(ReturnPath.Of(context.Request, $"/monitors/{Uri.EscapeDataString(id)}"), "done", done));
    }

    private static IResult MonitorNotFound(string id) =>
        Results.NotFound(new { error = $"monitor '{id}' not found" });
}
