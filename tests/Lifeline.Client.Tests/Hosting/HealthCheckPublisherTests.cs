using Lifeline.Client.Hosting;
using Lifeline.Client.Push;
using Lifeline.Testing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Lifeline.Client.Tests.Hosting;

public class HealthCheckPublisherTests
{
    private static HealthReport Report(params (string Name, HealthStatus Status, string? Description)[] entries) =>
        new(
            entries.ToDictionary(e => e.Name, e => new HealthReportEntry(e.Status, e.Description, TimeSpan.FromMilliseconds(5), null, null)),
            TimeSpan.FromMilliseconds(12.5));

    [Fact]
    public void A_healthy_report_is_up()
    {
        var signal = LifelineHealthCheckPublisher.ToSignal(Report(("db", HealthStatus.Healthy, null)));

        signal.Up.ShouldBeTrue();
        signal.Message.ShouldBe("Healthy");
        signal.PingMs.ShouldBe(12.5);
    }

    [Fact]
    public void A_degraded_report_is_up_with_the_degraded_entries_in_the_message()
    {
        var signal = LifelineHealthCheckPublisher.ToSignal(Report(
            ("db", HealthStatus.Healthy, null),
            ("cache", HealthStatus.Degraded, "hit rate 12%")));

        signal.Up.ShouldBeTrue();
        signal.Message.ShouldBe("Degraded: cache - hit rate 12%");
    }

    [Fact]
    public void An_unhealthy_report_is_down_with_the_failing_entries_first()
    {
        var signal = LifelineHealthCheckPublisher.ToSignal(Report(
            ("db", HealthStatus.Unhealthy, "connection refused"),
            ("queue", HealthStatus.Unhealthy, null),
            ("cache", HealthStatus.Degraded, "slow"),
            ("disk", HealthStatus.Healthy, null)));

        signal.Up.ShouldBeFalse();
        signal.Message.ShouldBe("Unhealthy: db - connection refused; queue; cache (degraded) - slow");
    }

    [Fact]
    public void An_exception_stands_in_for_a_missing_description_and_long_messages_are_cut()
    {
        var entries = new Dictionary<string, HealthReportEntry>
        {
            ["db"] = new(HealthStatus.Unhealthy, null, TimeSpan.Zero, new InvalidOperationException(new string('x', 2000)), null),
        };

        var signal = LifelineHealthCheckPublisher.ToSignal(new HealthReport(entries, TimeSpan.Zero));

        signal.Message!.ShouldStartWith("Unhealthy: db - xxx");
        signal.Message!.Length.ShouldBe(LifelineHealthCheckPublisher.MaxMessageLength);
    }

    [Fact]
    public async Task Publishing_sends_the_signal_to_the_push_url()
    {
        await using var server = await RecordingServer.StartAsync();
        using var http = LifelineHttp.Create();
        var publisher = new LifelineHealthCheckPublisher(new Uri(server.Url("/api/push/tok123")), new PushSender(http));

        await publisher.PublishAsync(Report(("db", HealthStatus.Unhealthy, "timeout")), CancellationToken.None);

        var request = server.Requests.ShouldHaveSingleItem();
        request.Path.ShouldBe("/api/push/tok123");
        request.Query.ShouldStartWith("?status=down&msg=Unhealthy%3A%20db%20-%20timeout");
    }

    [Fact]
    public async Task On_a_ping_url_an_unhealthy_report_goes_to_fail_with_the_message_as_body()
    {
        await using var server = await RecordingServer.StartAsync();
        server.Responder = _ => new Reply(200, "OK", ContentType: "text/plain");
        using var http = LifelineHttp.Create();
        var publisher = new LifelineHealthCheckPublisher(new Uri(server.Url("/ping/tok123")), new PushSender(http));

        await publisher.PublishAsync(Report(("db", HealthStatus.Unhealthy, "timeout")), CancellationToken.None);

        var request = server.Requests.ShouldHaveSingleItem();
        request.Path.ShouldBe("/ping/tok123/fail");
        request.Body.ShouldBe("Unhealthy: db - timeout");
    }
}
