using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Lifeline.Channels.Email;
using Lifeline.Channels.Tests.Support;
using Lifeline.Testing;

namespace Lifeline.Channels.Tests;

/// <summary>What every HTTP channel kind must do with the answers a receiver can give.</summary>
public sealed class ChannelConformanceTests : IAsyncLifetime, IDisposable
{
    private readonly ManualClock _clock = new(Notices.At);
    private readonly HttpClient _http = ChannelCatalog.CreateHttpClient(TimeSpan.FromSeconds(10), "9.9");
    private RecordingServer _server = null!;

    public static TheoryData<string> HttpKinds => ["webhook", "telegram", "slack", "discord", "teams", "ntfy", "gotify", "pagerduty"];

    /// <summary>Kinds whose provider documents 4xx and redirects as final; webhooks retry everything.</summary>
    public static TheoryData<string> ProviderKinds => ["telegram", "slack", "discord", "teams", "ntfy", "gotify", "pagerduty"];

    public async Task InitializeAsync() => _server = await RecordingServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _http.Dispose();

    [Fact]
    public void The_catalog_serves_every_kind_of_the_contract_once()
    {
        var kinds = ChannelCatalog.Create(_http, _clock, new SmtpOptions()).Select(c => c.Kind).ToList();

        kinds.ShouldBe(ChannelCatalog.Kinds, ignoreOrder: true);
        kinds.ShouldBe(["webhook", "telegram", "email", "slack", "discord", "teams", "ntfy", "gotify", "pagerduty"], ignoreOrder: true);
    }

    [Theory]
    [MemberData(nameof(HttpKinds))]
    public async Task A_2xx_answer_is_a_delivery_and_the_settings_are_valid(string kind)
    {
        _server.Responder = _ => new Reply(200, """{"ok":true,"result":{}}""");
        var channel = Channel(kind);

        Sender(kind).Validate(channel.Settings).ShouldBeEmpty();
        await Sender(kind).SendAsync(channel, Notices.Down(), Notices.Delivery(), CancellationToken.None);

        _server.Requests.Count.ShouldBe(1);
        _server.Requests[0].Method.ShouldBe("POST");
        _server.Requests[0].Headers["content-type"].ShouldStartWith("application/json");
        _server.Requests[0].Headers["user-agent"].ShouldBe("Lifeline/9.9");
    }

    [Theory]
    [MemberData(nameof(ProviderKinds))]
    public async Task A_redirect_is_not_followed_and_is_permanent(string kind)
    {
        _server.Responder = request => request.Path == "/elsewhere"
            ? new Reply(200, """{"ok":true,"result":{}}""")
            : new Reply(301, "", new Dictionary<string, string> { ["Location"] = _server.Url("/elsewhere") });

        var failure = await Should.ThrowAsync<DeliveryException>(() => Sender(kind).SendAsync(Channel(kind), Notices.Down(), Notices.Delivery(), CancellationToken.None));

        failure.Permanent.ShouldBeTrue();
        failure.StatusCode.ShouldBe(301);
        _server.Requests.Count.ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(HttpKinds))]
    public async Task A_500_answer_is_a_transient_failure(string kind)
    {
        _server.Responder = _ => new Reply(500, """{"ok":false,"error_code":500,"description":"Internal Server Error"}""");

        var failure = await Should.ThrowAsync<DeliveryException>(() => Sender(kind).SendAsync(Channel(kind), Notices.Down(), Notices.Delivery(), CancellationToken.None));

        failure.Permanent.ShouldBeFalse();
        failure.StatusCode.ShouldBe(500);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(404)]
    [InlineData(301)]
    public async Task A_webhook_answer_that_is_not_2xx_is_always_worth_retrying(int status)
    {
        _server.Responder = _ => new Reply(status, "no", new Dictionary<string, string> { ["Location"] = _server.Url("/elsewhere") });

        var failure = await Should.ThrowAsync<DeliveryException>(() => Sender("webhook").SendAsync(Channel("webhook"), Notices.Down(), Notices.Delivery(), CancellationToken.None));

        failure.Permanent.ShouldBeFalse();
        _server.Requests.Count.ShouldBe(1);
    }

    [Theory]
    [MemberData(nameof(ProviderKinds))]
    public async Task A_400_answer_is_a_permanent_failure(string kind)
    {
        _server.Responder = _ => new Reply(400, """{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}""");

        var failure = await Should.ThrowAsync<DeliveryException>(() => Sender(kind).SendAsync(Channel(kind), Notices.Down(), Notices.Delivery(), CancellationToken.None));

        failure.Permanent.ShouldBeTrue();
        failure.StatusCode.ShouldBe(400);
    }

    [Theory]
    [MemberData(nameof(HttpKinds))]
    public async Task A_429_answer_with_a_Retry_After_header_asks_to_wait_that_long(string kind)
    {
        _server.Responder = _ => new Reply(429, "", new Dictionary<string, string> { ["Retry-After"] = "7" });

        var failure = await Should.ThrowAsync<DeliveryException>(() => Sender(kind).SendAsync(Channel(kind), Notices.Down(), Notices.Delivery(), CancellationToken.None));

        failure.Permanent.ShouldBeFalse();
        failure.RetryAfter.ShouldBe(TimeSpan.FromSeconds(7));
    }

    [Theory]
    [MemberData(nameof(HttpKinds))]
    public async Task An_unreachable_receiver_is_a_transient_failure(string kind)
    {
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();

        var failure = await Should.ThrowAsync<DeliveryException>(() =>
            Sender(kind).SendAsync(Channel(kind, $"http://127.0.0.1:{port}/"), Notices.Down(), Notices.Delivery(), CancellationToken.None));

        failure.Permanent.ShouldBeFalse();
    }

    [Theory]
    [MemberData(nameof(HttpKinds))]
    public void Missing_settings_are_reported_by_field_name(string kind)
    {
        var errors = Sender(kind).Validate([]);

        errors.ShouldNotBeEmpty();
        errors.ShouldAllBe(e => e.StartsWith('\''));
    }

    private INoticeChannel Sender(string kind) =>
        ChannelCatalog.Create(_http, _clock, new SmtpOptions()).Single(c => c.Kind == kind);

    private ChannelConfig Channel(string kind, string? baseUrl = null)
    {
        var root = (baseUrl ?? _server.BaseUri.ToString()).TrimEnd('/');
        JsonObject settings = kind switch
        {
            "telegram" => new() { ["botToken"] = "123:ABC", ["chatId"] = 42, ["apiBase"] = root },
            "gotify" => new() { ["url"] = root, ["token"] = "app-token" },
            "pagerduty" => new() { ["routingKey"] = "R0UTINGKEY", ["apiBase"] = root },
            "ntfy" => new() { ["url"] = root + "/alerts" },
            _ => new() { ["url"] = root + "/hook" },
        };
        return Notices.Channel(kind, settings);
    }
}
