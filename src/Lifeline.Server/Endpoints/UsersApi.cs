using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Lifeline.Server.Security;

namespace Lifeline.Server.Endpoints;

/// <summary>/api/v1/users: the web app's users. Answers never carry a password or its hash.</summary>
internal static class UsersApi
{
    public static RouteGroupBuilder MapUsers(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/users");
        group.MapGet("/", async (UserAccounts users, CancellationToken ct) =>
            TypedResults.Json(new JsonArray([.. (await users.ListAsync(ct)).Select(u => (JsonNode)Json(u))])));
        group.MapPost("/", Create);
        group.MapGet("/{id}", async (string id, UserAccounts users, CancellationToken ct) =>
            await users.FindAsync(id, ct) is { } user ? TypedResults.Json(Json(user)) : Requests.NotFound("user", id));
        group.MapPatch("/{id}", Update);
        group.MapDelete("/{id}", async (string id, UserAccounts users, CancellationToken ct) =>
            await users.DeleteAsync(id, ct) switch
            {
                UserChange.Done => Results.NoContent(),
                UserChange.LastAdmin => LastAdmin(),
                _ => Requests.NotFound("user", id),
            });
        return api;
    }

    private static async Task<IResult> Create(HttpRequest request, UserAccounts users, CancellationToken ct)
    {
        var (body, error) = await Requests.ReadObjectAsync(request, ct);
        if (body is null)
        {
            return Requests.BadRequest(error!);
        }
        var (username, password, role, problems) = Fields(body, required: true);
        if (problems.Count > 0)
        {
            return Requests.BadRequest(problems);
        }
        var (user, change) = await users.CreateAsync(username!, password!, role ?? User.Viewer, onlyIfFirst: false, ct);
        return change == UserChange.Done
            ? TypedResults.Json(Json(user), statusCode: StatusCodes.Status201Created)
            : Taken(username!);
    }

    private static async Task<IResult> Update(string id, HttpRequest request, UserAccounts users, CancellationToken ct)
    {
        var (body, error) = await Requests.ReadObjectAsync(request, ct);
        if (body is null)
        {
            return Requests.BadRequest(error!);
        }
        var (username, password, role, problems) = Fields(body, required: false);
        if (problems.Count > 0)
        {
            return Requests.BadRequest(problems);
        }
        var (user, change) = await users.UpdateAsync(id, username, password, role, ct);
        return change switch
        {
            UserChange.Done => TypedResults.Json(Json(user!)),
            UserChange.NameTaken => Taken(username!),
            UserChange.LastAdmin => LastAdmin(),
            _ => Requests.NotFound("user", id),
        };
    }

    /// <summary>The three fields, each checked; with <paramref name="required"/>, username and password must be there (role defaults to viewer).</summary>
    private static (string? Username, string? Password, string? Role, List<string> Problems) Fields(JsonObject body, bool required)
    {
        var problems = new List<string>();
        foreach (var key in body.Select(p => p.Key).Where(k => k is not ("username" or "password" or "role")))
        {
            problems.Add($"{key} is not a field of a user (username, password, role)");
        }
        var username = Text(body, "username", problems);
        var password = Text(body, "password", problems);
        var role = Text(body, "role", problems);
        if (username is not null || required)
        {
            AddProblem(problems, UserAccounts.UsernameProblem(username));
        }
        if (password is not null || required)
        {
            AddProblem(problems, UserAccounts.PasswordProblem(password));
        }
        if (role is not null)
        {
            AddProblem(problems, UserAccounts.RoleProblem(role));
        }
        return (username, password, role, problems);
    }

    private static void AddProblem(List<string> problems, string? problem)
    {
        if (problem is not null)
        {
            problems.Add(problem);
        }
    }

    private static string? Text(JsonObject body, string key, List<string> problems)
    {
        if (!body.TryGetPropertyValue(key, out var node) || node is null)
        {
            return null;
        }
        if (node.GetValueKind() != JsonValueKind.String)
        {
            problems.Add($"{key} must be a string");
            return null;
        }
        return node.GetValue<string>();
    }

    private static IResult Taken(string username) =>
        Requests.Error(StatusCodes.Status409Conflict, $"username '{username}' is taken (usernames are compared without case)");

    private static IResult LastAdmin() =>
        Requests.Error(StatusCodes.Status409Conflict, "this is the last admin: make another user admin first");

    private static JsonObject Json(User u) => new()
    {
        ["id"] = u.Id,
        ["username"] = u.Username,
        ["role"] = u.Role,
        ["createdAt"] = MonitorJson.Time(u.CreatedAt),
    };
}
