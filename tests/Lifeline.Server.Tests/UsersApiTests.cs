using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Lifeline.Server.Tests;

/// <summary>/api/v1/users on SQLite here, on PostgreSQL in the derived class.</summary>
public class UsersApiTests : IAsyncLifetime
{
    protected virtual Task<LifelineApp> StartAppAsync(params string[] args) => LifelineApp.StartAsync(args);

    private LifelineApp _app = null!;

    public async Task InitializeAsync() => _app = await StartAppAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, string? json = null, HttpClient? client = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }
        using var response = await (client ?? _app.Admin).SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    private async Task<string> AdminIdAsync() =>
        (await _app.GetArrayAsync("api/v1/users")).Single(u => u!["username"]!.GetValue<string>() == LifelineApp.AdminUser)!["id"]!.GetValue<string>();

    [Fact]
    public async Task A_user_is_created_read_listed_changed_and_deleted_and_no_answer_carries_the_password_or_its_hash()
    {
        var (status, created) = await SendAsync(HttpMethod.Post, "api/v1/users", """{"username":"Grace","password":"grace-password","role":"viewer"}""");
        status.ShouldBe(HttpStatusCode.Created);
        var id = created!["id"]!.GetValue<string>();
        created["username"]!.GetValue<string>().ShouldBe("Grace");
        created["role"]!.GetValue<string>().ShouldBe("viewer");
        created["createdAt"]!.GetValue<string>().ShouldEndWith("Z");
        created.AsObject().Select(p => p.Key).ShouldBe(["id", "username", "role", "createdAt"], ignoreOrder: true);

        (await SendAsync(HttpMethod.Get, $"api/v1/users/{id}")).Body!["username"]!.GetValue<string>().ShouldBe("Grace");
        var list = await _app.Admin.GetStringAsync("api/v1/users");
        list.ShouldContain("Grace");
        list.ShouldNotContain("grace-password");
        list.ShouldNotContain("AQAAAA", Case.Sensitive);

        var (patched, body) = await SendAsync(HttpMethod.Patch, $"api/v1/users/{id}", """{"role":"admin","username":"grace"}""");
        patched.ShouldBe(HttpStatusCode.OK);
        body!["role"]!.GetValue<string>().ShouldBe("admin");
        body["username"]!.GetValue<string>().ShouldBe("grace");

        (await SendAsync(HttpMethod.Delete, $"api/v1/users/{id}")).Status.ShouldBe(HttpStatusCode.NoContent);
        (await SendAsync(HttpMethod.Get, $"api/v1/users/{id}")).Status.ShouldBe(HttpStatusCode.NotFound);
        (await SendAsync(HttpMethod.Delete, $"api/v1/users/{id}")).Status.ShouldBe(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("""{"password":"long-enough"}""", "username is required")]
    [InlineData("""{"username":"a b","password":"long-enough"}""", "username must be 1 to 64 characters")]
    [InlineData("""{"username":"ok","password":"short"}""", "password must be at least 8 characters")]
    [InlineData("""{"username":"ok","password":"long-enough","role":"owner"}""", "role must be admin or viewer")]
    [InlineData("""{"username":"ok","password":12345678}""", "password must be a string")]
    [InlineData("""{"username":"ok","password":"long-enough","email":"x"}""", "email is not a field of a user")]
    public async Task Bad_fields_answer_400_naming_the_field(string json, string error)
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "api/v1/users", json);

        status.ShouldBe(HttpStatusCode.BadRequest);
        body!["error"]!.GetValue<string>().ShouldContain(error);
    }

    [Fact]
    public async Task A_username_taken_in_any_case_answers_409()
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "api/v1/users", """{"username":"ADMIN","password":"long-enough"}""");

        status.ShouldBe(HttpStatusCode.Conflict);
        body!["error"]!.GetValue<string>().ShouldContain("taken");
    }

    [Fact]
    public async Task The_last_admin_can_be_neither_demoted_nor_deleted()
    {
        var admin = await AdminIdAsync();

        var (demoted, body) = await SendAsync(HttpMethod.Patch, $"api/v1/users/{admin}", """{"role":"viewer"}""");
        demoted.ShouldBe(HttpStatusCode.Conflict);
        body!["error"]!.GetValue<string>().ShouldContain("last admin");
        (await SendAsync(HttpMethod.Delete, $"api/v1/users/{admin}")).Status.ShouldBe(HttpStatusCode.Conflict);

        await SendAsync(HttpMethod.Post, "api/v1/users", """{"username":"second","password":"long-enough","role":"admin"}""");
        (await SendAsync(HttpMethod.Delete, $"api/v1/users/{admin}")).Status.ShouldBe(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task A_read_only_key_may_list_users_but_not_change_them_and_no_key_gets_401()
    {
        var (_, key) = await SendAsync(HttpMethod.Post, "api/v1/keys", """{"name":"reader","readOnly":true}""");
        using var reader = new HttpClient { BaseAddress = _app.BaseUri };
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key!["key"]!.GetValue<string>());

        (await SendAsync(HttpMethod.Get, "api/v1/users", client: reader)).Status.ShouldBe(HttpStatusCode.OK);
        (await SendAsync(HttpMethod.Post, "api/v1/users", """{"username":"x","password":"long-enough"}""", reader)).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await SendAsync(HttpMethod.Delete, $"api/v1/users/{await AdminIdAsync()}", client: reader)).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await SendAsync(HttpMethod.Get, "api/v1/users", client: _app.Anonymous)).Status.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_new_password_through_the_api_is_the_one_that_signs_in()
    {
        var admin = await AdminIdAsync();
        (await _app.Admin.PatchAsJsonAsync($"api/v1/users/{admin}", new { password = "the-new-password" })).StatusCode.ShouldBe(HttpStatusCode.OK);

        var accounts = _app.Service<Lifeline.Server.Security.UserAccounts>();
        (await accounts.VerifyAsync(LifelineApp.AdminUser, LifelineApp.AdminPassword, CancellationToken.None)).ShouldBeNull();
        (await accounts.VerifyAsync(LifelineApp.AdminUser, "the-new-password", CancellationToken.None)).ShouldNotBeNull();
    }
}

public sealed class PostgresUsersApiTests : UsersApiTests
{
    protected override Task<LifelineApp> StartAppAsync(params string[] args) => LifelineApp.StartOnPostgresAsync(args);
}
