namespace Lifeline.Checks.Tests;

public class CheckDefinitionTests
{
    [Theory]
    [InlineData(MonitorKind.Http, "https://example.com/health")]
    [InlineData(MonitorKind.Http, "http://127.0.0.1:8080")]
    [InlineData(MonitorKind.Tcp, "db.internal:5432")]
    [InlineData(MonitorKind.Tcp, "[::1]:22")]
    [InlineData(MonitorKind.Tls, "example.com:443")]
    [InlineData(MonitorKind.Tls, "example.com")]
    [InlineData(MonitorKind.Dns, "example.com")]
    [InlineData(MonitorKind.Dns, "example.com.")]
    [InlineData(MonitorKind.Dns, "example.com@127.0.0.1:5353")]
    [InlineData(MonitorKind.Dns, "example.com@[::1]:53")]
    [InlineData(MonitorKind.Push, null)]
    public void A_good_target_with_default_conditions_has_no_errors(MonitorKind kind, string? target) =>
        CheckDefinition.Validate(kind, target, []).ShouldBeEmpty();

    [Theory]
    [InlineData(MonitorKind.Http, null, "target: required for http monitors")]
    [InlineData(MonitorKind.Http, "example.com/health", "target: must be an absolute http:// or https:// URL")]
    [InlineData(MonitorKind.Http, "ftp://example.com", "target: must be an absolute")]
    [InlineData(MonitorKind.Tcp, "db.internal", "target: must be host:port")]
    [InlineData(MonitorKind.Tcp, "db.internal:0", "target: must be host:port with a port from 1 to 65535")]
    [InlineData(MonitorKind.Tcp, "db.internal:99999", "port from 1 to 65535")]
    [InlineData(MonitorKind.Tcp, "::1:22", "IPv6 addresses in brackets")]
    [InlineData(MonitorKind.Tcp, "bad host:22", "not a valid host name")]
    [InlineData(MonitorKind.Tls, "", "target: required for tls monitors")]
    [InlineData(MonitorKind.Dns, "exa mple.com", "not a valid DNS name")]
    [InlineData(MonitorKind.Dns, "example.com@ns1", "the nameserver after '@'")]
    public void A_bad_target_is_named_in_the_error(MonitorKind kind, string? target, string error) =>
        CheckDefinition.Validate(kind, target, []).ShouldHaveSingleItem().ShouldContain(error);

    [Fact]
    public void A_bad_condition_names_its_index_text_and_position()
    {
        var errors = CheckDefinition.Validate(MonitorKind.Http, "https://example.com", ["[STATUS] == 200", "[STATUS] = 200"]);

        errors.ShouldHaveSingleItem().ShouldBe("conditions[1]: \"[STATUS] = 200\": use == to compare at position 10");
    }

    [Theory]
    [InlineData(MonitorKind.Tcp, "[STATUS] == 200", "[STATUS] is not available for tcp monitors at position 1")]
    [InlineData(MonitorKind.Dns, "[CERTIFICATE_EXPIRATION] > 48h", "[CERTIFICATE_EXPIRATION] is not available for dns monitors")]
    [InlineData(MonitorKind.Http, "[DNS_RCODE] == NOERROR", "[DNS_RCODE] is not available for http monitors")]
    [InlineData(MonitorKind.Tls, "all([BODY].x) == 1", "[BODY] is not available for tls monitors at position 5")]
    public void A_placeholder_the_kind_cannot_fill_is_rejected(MonitorKind kind, string condition, string error)
    {
        var target = kind == MonitorKind.Http ? "http://example.com" : kind == MonitorKind.Dns ? "example.com" : "example.com:1";

        CheckDefinition.Validate(kind, target, [condition]).ShouldHaveSingleItem().ShouldContain(error);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var errors = CheckDefinition.Validate(MonitorKind.Http, "nope", ["[STATUS] ==", "[NOPE] == 1"]);

        errors.Count.ShouldBe(3);
        errors[0].ShouldStartWith("target: ");
        errors[1].ShouldStartWith("conditions[0]: ");
        errors[2].ShouldStartWith("conditions[1]: ");
    }

    [Fact]
    public void Method_and_timeout_are_checked_on_a_whole_monitor()
    {
        var monitor = new Monitor { Id = "m", Name = "m", Kind = MonitorKind.Dns, Target = "example.com", Method = "A,BOGUS", Timeout = TimeSpan.Zero };

        var errors = CheckDefinition.Validate(monitor);

        errors.ShouldContain("timeout: must be more than 0 seconds");
        errors.ShouldContain(e => e.StartsWith("method: unknown DNS record type 'BOGUS'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(MonitorKind.Http, "[STATUS] < 400")]
    [InlineData(MonitorKind.Tcp, "[CONNECTED] == true")]
    [InlineData(MonitorKind.Tls, "[CONNECTED] == true")]
    [InlineData(MonitorKind.Dns, "[DNS_RCODE] == NOERROR")]
    public void Each_kind_has_a_sensible_default_condition(MonitorKind kind, string condition) =>
        CheckDefinition.DefaultConditions(kind).ShouldBe([condition]);

    [Fact]
    public async Task An_invalid_monitor_gives_a_failed_outcome_without_probing()
    {
        var runner = new CheckRunner(TimeProvider.System);
        var monitor = new Monitor { Id = "m", Name = "m", Kind = MonitorKind.Http, Target = "http://127.0.0.1:1/", Conditions = ["[STATUS] => 200"] };

        var outcome = await runner.RunAsync(monitor, CancellationToken.None);

        outcome.Ok.ShouldBeFalse();
        outcome.Message.ShouldStartWith("invalid monitor: conditions[0]: ");
        outcome.Observation.ShouldBeNull();
    }

    [Theory]
    [InlineData("X-Bad\r\nX-Injected", "v", "headers: 'X-Bad\\r\\nX-Injected' is not a valid header name")]
    [InlineData("X Space", "v", "headers: 'X Space' is not a valid header name")]
    [InlineData("X:Colon", "v", "not a valid header name")]
    [InlineData("", "v", "headers: '' is not a valid header name")]
    [InlineData("Caf\u00e9", "v", "not a valid header name")]
    [InlineData("X-Token", "abc\r\nX-Injected: 1", "headers: the value of 'X-Token' holds a control character")]
    [InlineData("X-Token", "abc\n", "the value of 'X-Token' holds a control character")]
    [InlineData("X-Token", "abc\u0000", "the value of 'X-Token' holds a control character")]
    [InlineData("X-Token", "abc\u007f", "the value of 'X-Token' holds a control character")]
    public void A_header_that_would_break_the_request_is_refused(string name, string value, string error)
    {
        var monitor = new Monitor
        {
            Id = "m", Name = "m", Kind = MonitorKind.Http, Target = "https://example.com",
            Headers = new Dictionary<string, string> { ["Accept"] = "*/*", [name] = value },
        };

        CheckDefinition.Validate(monitor).ShouldHaveSingleItem().ShouldContain(error);
    }

    [Fact]
    public void Ordinary_headers_pass()
    {
        var monitor = new Monitor
        {
            Id = "m", Name = "m", Kind = MonitorKind.Http, Target = "https://example.com",
            Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer a.b-c~d+/=", ["X-Tabbed"] = "a\tb", ["X-Empty"] = "", ["x_odd!#$%&'*+.^`|~"] = "caf\u00e9" },
        };

        CheckDefinition.Validate(monitor).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("GET\r\nX-Injected: 1")]
    [InlineData("GET\n")]
    [InlineData("GE T")]
    public void A_method_that_is_not_a_single_token_is_refused(string method)
    {
        var monitor = new Monitor { Id = "m", Name = "m", Kind = MonitorKind.Http, Target = "https://example.com", Method = method };

        CheckDefinition.Validate(monitor).ShouldHaveSingleItem().ShouldStartWith("method: ");
    }

    [Fact]
    public async Task A_stored_monitor_with_a_line_break_in_a_header_is_not_probed()
    {
        var runner = new CheckRunner(TimeProvider.System);
        var monitor = new Monitor
        {
            Id = "m", Name = "m", Kind = MonitorKind.Http, Target = "http://127.0.0.1:1/",
            Headers = new Dictionary<string, string> { ["X-Token"] = "a\r\nX-Injected: 1" },
        };

        var outcome = await runner.RunAsync(monitor, CancellationToken.None);

        outcome.Message.ShouldStartWith("invalid monitor: headers: ");
        outcome.Observation.ShouldBeNull();
    }
}
