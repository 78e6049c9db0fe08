using System.Net;
using System.Net.Security;
using Lifeline.Checks.Conditions;
using Lifeline.Checks.Tls;

namespace Lifeline.Checks.Tests.Conditions;

public class ConditionEvaluatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 5, 12, 0, 0, TimeSpan.Zero);

    private static readonly Observation Seen = new()
    {
        Connected = true,
        StatusCode = 500,
        Body = """{"status":"UP","count":5,"version":"1.10","data":[{"name":"first"},{"name":"second"}],"ok":true,"nothing":null}""",
        Headers = new Dictionary<string, string> { ["Content-Type"] = "application/json; charset=utf-8" },
        ResponseTime = TimeSpan.FromMilliseconds(123.4),
        Phases = new PhaseTimes { Dns = TimeSpan.FromMilliseconds(2), Connect = TimeSpan.FromMilliseconds(3), FirstByte = TimeSpan.FromMilliseconds(100) },
        Addresses = [IPAddress.Parse("10.0.0.1"), IPAddress.Parse("10.0.0.2")],
        DnsRcode = "NOERROR",
        Certificates =
        [
            new CertificateInfo("CN=leaf", "CN=ca", Now.AddDays(-10), Now.AddDays(30), "A"),
            new CertificateInfo("CN=ca", "CN=root", Now.AddDays(-100), Now.AddDays(3), "B"),
        ],
        TlsPolicyErrors = SslPolicyErrors.RemoteCertificateChainErrors,
        ObservedAt = Now,
    };

    [Theory]
    [InlineData("[STATUS] == 500", true, "[STATUS] (500) == 500")]
    [InlineData("[STATUS] == 200", false, "[STATUS] (500) == 200")]
    [InlineData("[STATUS] < 400", false, "[STATUS] (500) < 400")]
    [InlineData("[STATUS] >= 500", true, "[STATUS] (500) >= 500")]
    [InlineData("[STATUS] != 500", false, "[STATUS] (500) != 500")]
    [InlineData("[STATUS] == any(200, 500)", true, "[STATUS] (500) == any(200, 500)")]
    [InlineData("[STATUS] != any(200, 204)", true, "[STATUS] (500) != any(200, 204)")]
    [InlineData("[STATUS] != any(200, 500)", false, "[STATUS] (500) != any(200, 500)")]
    [InlineData("[BODY].status == UP", true, "[BODY].status (UP) == UP")]
    [InlineData("[BODY].status == DOWN", false, "[BODY].status (UP) == DOWN")]
    [InlineData("[BODY].status == up", false, "[BODY].status (UP) == up")]
    [InlineData("[BODY].count == 5", true, "[BODY].count (5) == 5")]
    [InlineData("[BODY].count > 4.5", true, "[BODY].count (5) > 4.5")]
    [InlineData("[BODY].version == 1.1", true, "[BODY].version (1.10) == 1.1")]
    [InlineData("[BODY].version == \"1.1\"", false, "[BODY].version (1.10) == \"1.1\"")]
    [InlineData("[BODY].data[1].name == second", true, "[BODY].data[1].name (second) == second")]
    [InlineData("[BODY].DATA[0].NAME == first", true, "[BODY].DATA[0].NAME (first) == first")]
    [InlineData("[BODY].data[5].name == x", false, "[BODY].data[5].name (n/a) == x")]
    [InlineData("[BODY].missing != x", false, "[BODY].missing (n/a) != x")]
    [InlineData("[BODY].ok == true", true, "[BODY].ok (true) == true")]
    [InlineData("[BODY].nothing == null", true, "[BODY].nothing (null) == null")]
    [InlineData("len([BODY].data) == 2", true, "len([BODY].data) (2) == 2")]
    [InlineData("len([BODY].status) == 2", true, "len([BODY].status) (2) == 2")]
    [InlineData("has([BODY].data)", true, "has([BODY].data) (true)")]
    [InlineData("has([BODY].errors) == false", true, "has([BODY].errors) (false) == false")]
    [InlineData("[BODY] contains \"second\"", true, null)]
    [InlineData("[BODY] not contains \"error\"", true, null)]
    [InlineData("[BODY] matches \"\\\"count\\\":\\\\d+\"", true, null)]
    [InlineData("[BODY] matches \"^\\{\\\"status\\\":\"", true, null)]
    [InlineData("[BODY].version matches '^\\d+\\.\\d+$'", true, null)]
    [InlineData("[HEADER].content-type contains json", true, "[HEADER].content-type (application/json; charset=utf-8) contains json")]
    [InlineData("[HEADER].x-missing == a", false, "[HEADER].x-missing (n/a) == a")]
    [InlineData("has([HEADER].CONTENT-TYPE)", true, "has([HEADER].CONTENT-TYPE) (true)")]
    [InlineData("[RESPONSE_TIME] < 500", true, "[RESPONSE_TIME] (123) < 500")]
    [InlineData("[RESPONSE_TIME] < 100ms", false, "[RESPONSE_TIME] (123) < 100ms")]
    [InlineData("[RESPONSE_TIME] < 1s", true, "[RESPONSE_TIME] (123) < 1s")]
    [InlineData("[DNS_TIME] == 2", true, "[DNS_TIME] (2) == 2")]
    [InlineData("[TLS_TIME] < 10", false, "[TLS_TIME] (n/a) < 10")]
    [InlineData("[FIRST_BYTE_TIME] >= 100ms", true, "[FIRST_BYTE_TIME] (100) >= 100ms")]
    [InlineData("[CONNECTED] == true", true, "[CONNECTED] (true) == true")]
    [InlineData("[CONNECTED]", true, "[CONNECTED] (true)")]
    [InlineData("[IP] == 10.0.0.2", true, "[IP] (10.0.0.1, 10.0.0.2) == 10.0.0.2")]
    [InlineData("[IP] == 10.0.0.3", false, "[IP] (10.0.0.1, 10.0.0.2) == 10.0.0.3")]
    [InlineData("all([IP]) == 10.0.0.2", false, "all([IP]) (10.0.0.1, 10.0.0.2) == 10.0.0.2")]
    [InlineData("all([IP]) == any(10.0.0.1, 10.0.0.2)", true, null)]
    [InlineData("[IP] != 10.0.0.1", false, null)]
    [InlineData("[IP] contains 10.0.", true, null)]
    [InlineData("len([IP]) == 2", true, "len([IP]) (2) == 2")]
    [InlineData("[DNS_RCODE] == NOERROR", true, "[DNS_RCODE] (NOERROR) == NOERROR")]
    [InlineData("[DNS_RCODE] == noerror", true, "[DNS_RCODE] (NOERROR) == noerror")]
    [InlineData("[DNS_RCODE] == NXDOMAIN", false, "[DNS_RCODE] (NOERROR) == NXDOMAIN")]
    [InlineData("[CERTIFICATE_EXPIRATION] > 48h", true, "[CERTIFICATE_EXPIRATION] (3d) > 48h")]
    [InlineData("[CERTIFICATE_EXPIRATION] > 14d", false, "[CERTIFICATE_EXPIRATION] (3d) > 14d")]
    [InlineData("[CERTIFICATE_EXPIRATION] > 259199999", true, null)]
    [InlineData("[CERTIFICATE_VALID] == true", false, "[CERTIFICATE_VALID] (false) == true")]
    [InlineData("[HEALTH] == pass", true, "[HEALTH] (pass) == pass")]
    [InlineData("[HEALTH] == UP", true, "[HEALTH] (pass) == UP")]
    [InlineData("[HEALTH] == Healthy", true, "[HEALTH] (pass) == Healthy")]
    [InlineData("[HEALTH] == fail", false, "[HEALTH] (pass) == fail")]
    [InlineData("500 == [STATUS]", true, "500 == [STATUS] (500)")]
    public void A_condition_reports_its_verdict_and_the_value_it_saw(string text, bool ok, string? shown)
    {
        ConditionParser.TryParse(text, out var condition, out var error).ShouldBeTrue(error?.ToString());

        var result = ConditionEvaluator.Evaluate(condition!, Seen);

        result.Ok.ShouldBe(ok, result.Text);
        result.Condition.ShouldBe(text);
        if (shown is not null)
        {
            result.Text.ShouldBe(shown);
        }
    }

    [Theory]
    [InlineData("""{"status":"pass"}""", "pass")]
    [InlineData("""{"status":"warn","checks":{}}""", "warn")]
    [InlineData("""{"status":"Healthy","totalDuration":"00:00:00.01"}""", "pass")]
    [InlineData("""{"status":"Degraded"}""", "warn")]
    [InlineData("Unhealthy", "fail")]
    [InlineData("""{"status":"UP"}""", "pass")]
    [InlineData("""{"status":"DOWN"}""", "fail")]
    [InlineData("""{"status":"OUT_OF_SERVICE"}""", "fail")]
    [InlineData("""{"nope":1}""", null)]
    [InlineData("<html>", null)]
    public void Health_is_read_from_the_common_health_formats(string body, string? health) =>
        HealthStatus.Read(body).ShouldBe(health);

    [Fact]
    public void A_body_that_is_not_json_leaves_json_paths_unseen()
    {
        var condition = Parse("[BODY].status == UP");

        var result = ConditionEvaluator.Evaluate(condition, Seen with { Body = "<html>" });

        result.Ok.ShouldBeFalse();
        result.Text.ShouldBe("[BODY].status (n/a) == UP");
    }

    [Fact]
    public void A_long_body_is_shortened_in_the_report()
    {
        var condition = Parse("[BODY] == x");

        var result = ConditionEvaluator.Evaluate(condition, Seen with { Body = new string('a', 500) });

        result.Text.Length.ShouldBeLessThan(130);
        result.Text.ShouldContain("…");
    }

    [Fact]
    public void A_pattern_that_runs_too_long_fails_the_condition_instead_of_hanging()
    {
        var condition = Parse("[BODY] matches \"^(a+)+$\"");

        var result = ConditionEvaluator.Evaluate(condition, Seen with { Body = new string('a', 5000) + "!" });

        result.Ok.ShouldBeFalse();
        result.Text.ShouldEndWith("(pattern timed out)");
    }

    [Fact]
    public void A_body_nested_deeper_than_the_json_reader_allows_leaves_paths_and_health_unseen()
    {
        var deep = string.Concat(Enumerable.Repeat("{\"a\":", 100_000)) + "1" + new string('}', 100_000);
        var path = Parse("[BODY]" + string.Concat(Enumerable.Repeat(".a", 5_000)) + " == 1");
        var health = Parse("[HEALTH] == pass");

        var results = ConditionEvaluator.EvaluateAll([path, health], Seen with { Body = deep });

        results.ShouldAllBe(r => !r.Ok);
    }

    [Fact]
    public void A_path_with_thousands_of_steps_is_followed_to_its_end()
    {
        var body = string.Concat(Enumerable.Repeat("[", 60)) + "7" + new string(']', 60);
        var condition = Parse("[BODY]" + string.Concat(Enumerable.Repeat("[0]", 60)) + " == 7");

        ConditionEvaluator.Evaluate(condition, Seen with { Body = body }).Ok.ShouldBeTrue();
    }

    private static Condition Parse(string text)
    {
        ConditionParser.TryParse(text, out var condition, out var error).ShouldBeTrue(error?.ToString());
        return condition!;
    }
}
