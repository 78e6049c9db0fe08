using System.Text.Json.Nodes;
using Lifeline.Server.App.Forms;
using Lifeline.Server.Edits;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Lifeline.Server.App.StatusPages;

/// <summary>The status page buttons: delete a page, set a note's state (resolve), delete a note. Admin only, antiforgery checked.</summary>
public static class StatusPageActionsApi
{
    public static IEndpointRouteBuilder MapStatusPageActions(this IEndpointRouteBuilder app)
    {
        var group = app.MapAdminFormPosts("/status-pages/{id}");
        group.MapPost("/delete", async (string id, HttpContext context, StatusPageWrites writes) =>
        {
            return await writes.DeleteAsync(id, context.RequestAborted)
                ? Results.Redirect("/status-pages?done=deleted")
                : Results.NotFound(new { error = $"status page '{id}' not found" });
        });
        group.MapPost("/notes/{noteId}/state", async (string id, string noteId, HttpContext context, StatusPageWrites writes) =>
        {
            var state = context.Request.HasFormContentType ? FormValues.Text(await context.Request.ReadFormAsync(context.RequestAborted), "state") : "";
            var result = await writes.ChangeNoteAsync(id, noteId, new JsonObject { ["state"] = state }, context.RequestAborted);
            return result.Outcome switch
            {
                WriteOutcome.Done => Results.Redirect($"/status-pages/{Uri.EscapeDataString(id)}?done={(state == "resolved" ? "resolved" : "state")}#note-{Uri.EscapeDataString(noteId)}"),
                WriteOutcome.NotFound => NoteNotFound(noteId),
                _ => Results.BadRequest(new { error = result.Summary }),
            };
        });
        group.MapPost("/notes/{noteId}/delete", async (string id, string noteId, HttpContext context, StatusPageWrites writes) =>
        {
            return await writes.DeleteNoteAsync(id, noteId, context.RequestAborted)
                ? Results.Redirect($"/status-pages/{Uri.EscapeDataString(id)}?done=note-deleted")
                : NoteNotFound(noteId);
        });
        return app;
    }

    private static IResult NoteNotFound(string noteId) =>
        Results.NotFound(new { error = $"incident note '{noteId}' not found" });
}
