using Lifeline.Client.Admin;
using Lifeline.Testing;

namespace Lifeline.Client.Tests.Admin;

public sealed class LifelineClientTests : IAsyncLifetime, IDisposable
{
    private const string Key = "test-admin-key-0123456789";
    private RecordingServer _server = null!;
    private LifelineClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await RecordingServer.StartAsync();
        _client = new LifelineClient(_server.BaseUri, Key);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _client.Dispose();

    private const string MonitorJson = """
        {"id":"mon_1","name":"nightly backup","kind":"push","status":"new","period":86400,"grace":3600,
         "pushToken":"Kq3xV9","pushUrl":"http://127.0.0.1/api/push/Kq3xV9","pingUrl":"http://127.0.0.1/ping/Kq3xV9",
         "createdAt":"2026-01-05T12:00:00Z","started":false}
        """;

    [Fact]
    public async Task Creating_a_monitor_posts_camel_case_json_with_the_bearer_key()
    {
        _server.Responder = _ => new Reply(201, MonitorJson);

        var monitor = await _client.CreateMonitorAsync(new NewMonitor { Name = "nightly backup", Period = 86400, Grace = 3600, Tags = ["db"] });

        var request = _server.Requests.ShouldHaveSingleItem();
        request.Method.ShouldBe("POST");
        request.Path.ShouldBe("/api/v1/monitors");
        request.Headers["authorization"].ShouldBe($"Bearer {Key}");
        request.Body.ShouldBe("""{"name":"nightly backup","kind":"push","tags":["db"],"period":86400,"grace":3600}""");
        monitor.Id.ShouldBe("mon_1");
        monitor.PingUrl.ShouldBe("http://127.0.0.1/ping/Kq3xV9");
        monitor.CreatedAt.ShouldBe(new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero));
        monitor.Extra!.ShouldContainKey("started");
    }

    [Fact]
    public async Task Getting_a_monitor_reads_numeric_ids_too()
    {
        _server.Responder = _ => new Reply(200, """{"id":42,"name":"web","kind":"http","target":"http://127.0.0.1/","interval":30,"conditions":["[STATUS] == 200"]}""");

        var monitor = await _client.GetMonitorAsync("42");

        _server.Requests.Single().Path.ShouldBe("/api/v1/monitors/42");
        monitor.Id.ShouldBe("42");
        monitor.Conditions.ShouldBe(["[STATUS] == 200"]);
    }

    [Fact]
    public async Task Listing_passes_filters_and_follows_the_cursor()
    {
        _server.Responder = r => r.Query.Contains("cursor=", StringComparison.Ordinal)
            ? new Reply(200, """{"items":[{"id":"b","name":"B"}],"nextCursor":null}""")
            : new Reply(200, """{"items":[{"id":"a","name":"A"}],"nextCursor":"c1"}""");

        var all = new List<MonitorInfo>();
        await foreach (var monitor in _client.ListAllMonitorsAsync(new MonitorQuery { Status = "down", Tag = "db", Limit = 1 }))
        {
            all.Add(monitor);
        }

        all.Select(m => m.Id).ShouldBe(["a", "b"]);
        _server.Requests[0].Query.ShouldBe("?status=down&tag=db&limit=1");
        _server.Requests[1].Query.ShouldBe("?status=down&tag=db&limit=1&cursor=c1");
    }

    [Fact]
    public async Task Status_is_read()
    {
        _server.Responder = _ => new Reply(200, """
            {"pingKey":"pk1","server":{"status":"up","startedAt":"2026-01-05T11:00:00Z","version":"0.1.0"},
             "scheduler":{"status":"up","lastTickAt":"2026-01-05T12:00:00Z"},"counts":{"up":3,"down":1},
             "monitors":[{"id":"a","name":"A","status":"down","lastSignalAt":null}]}
            """);

        var status = await _client.GetStatusAsync();

        status.PingKey.ShouldBe("pk1");
        status.Server!.Version.ShouldBe("0.1.0");
        status.Counts!["down"].ShouldBe(1);
        status.Monitors!.Single().Status.ShouldBe("down");
    }

    [Fact]
    public async Task An_error_answer_becomes_an_exception_with_the_status_and_the_servers_error()
    {
        _server.Responder = _ => new Reply(400, """{"error":"name is required"}""");

        var error = await Should.ThrowAsync<LifelineApiException>(() => _client.CreateMonitorAsync(new NewMonitor { Name = "" }));

        error.StatusCode.ShouldBe(400);
        error.Error.ShouldBe("name is required");
    }
}
