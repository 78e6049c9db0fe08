namespace Lifeline.Core.Tests.Monitors;

/// <summary>Healthchecks' ping filters, as its own ping tests describe them.</summary>
public class PingRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static Signal Ping(string method = "POST", string? body = null, SignalKind kind = SignalKind.Success, int? exit = null) =>
        new() { Kind = kind, Ok = kind != SignalKind.Fail, At = T0, Method = method, Body = body, ExitStatus = exit };

    [Theory]
    [InlineData("GET")]
    [InlineData("HEAD")]
    public void A_monitor_taking_only_POST_ignores_other_methods_whatever_the_body(string method)
    {
        var rules = new PingRules { Methods = "POST", FilterHttpBody = true, FilterDefaultFail = true };

        var sorted = rules.Sort(Ping(method));

        sorted.Kind.ShouldBe(SignalKind.Ignored);
        sorted.Message.ShouldBe($"ignored: a {method} ping, and this monitor counts only POST");
        rules.Sort(Ping("POST", kind: SignalKind.Fail)).Kind.ShouldBe(SignalKind.Fail);
    }

    [Theory]
    [InlineData("SUCCESS!", SignalKind.Success)]
    [InlineData("hello world", SignalKind.Ignored)]
    [InlineData("FAIL, not SUCCESS", SignalKind.Fail)]
    [InlineData("STARTING", SignalKind.Start)]
    [InlineData("success", SignalKind.Ignored)]
    public void Body_keywords_sort_a_plain_ping(string body, SignalKind expected)
    {
        var rules = new PingRules { FilterHttpBody = true, SuccessKeywords = "SUCCESS, DONE", FailureKeywords = "FAIL", StartKeywords = "START" };

        var sorted = rules.Sort(Ping(body: body));

        sorted.Kind.ShouldBe(expected);
        sorted.Ok.ShouldBe(expected != SignalKind.Fail);
    }

    [Fact]
    public void With_default_fail_a_body_without_keywords_is_a_failure()
    {
        var rules = new PingRules { FilterHttpBody = true, SuccessKeywords = "SUCCESS", FilterDefaultFail = true };

        var sorted = rules.Sort(Ping(body: "no keywords"));

        sorted.Kind.ShouldBe(SignalKind.Fail);
        sorted.Ok.ShouldBeFalse();
    }

    [Fact]
    public void Keywords_sort_only_plain_pings_and_email_filters_change_nothing()
    {
        var rules = new PingRules { FilterHttpBody = true, SuccessKeywords = "SUCCESS", FilterDefaultFail = true };

        rules.Sort(Ping(body: "x", kind: SignalKind.Start)).Kind.ShouldBe(SignalKind.Start);
        rules.Sort(Ping(body: "x", exit: 0)).Kind.ShouldBe(SignalKind.Success);
        new PingRules { FilterSubject = true, SuccessKeywords = "SUCCESS", FilterDefaultFail = true }.Sort(Ping("GET")).Kind.ShouldBe(SignalKind.Success);
    }

    [Fact]
    public void Signals_that_are_not_Healthchecks_pings_pass_unchanged()
    {
        var rules = new PingRules { Methods = "POST" };
        var push = new Signal { Kind = SignalKind.Push, At = T0 };

        rules.Sort(push).ShouldBeSameAs(push);
    }

    [Fact]
    public void An_ignored_ping_is_recorded_and_changes_nothing()
    {
        var monitor = new Monitor { Id = "m1", Name = "job", Status = MonitorStatus.Up, PushToken = "token-123456", Period = TimeSpan.FromHours(1), CreatedAt = T0, DueAt = T0.AddHours(1), NextDeadlineAt = T0.AddHours(1) };

        var flip = MonitorMachine.OnSignal(monitor, new PingRules { Methods = "POST" }.Sort(Ping("GET")));

        flip.Next.ShouldBe(monitor with { EventCount = 1 });
        flip.Notice.ShouldBeNull();
    }
}
