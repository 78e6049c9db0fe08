using System.Net;
using Lifeline.Checks.Conditions;
using Lifeline.Checks.Dns;

namespace Lifeline.Checks.Tests.Conditions;

/// <summary>Conditions written for Gatus hold or fail here as they do in Gatus.</summary>
public class GatusConditionTests
{
    private static readonly Observation Json = new()
    {
        Connected = true,
        StatusCode = 200,
        Body = """{"status":"UP","host":"api.example.com","n":31,"hex":"0x1F","oct":"0o17","bin":"0b101","items":[1,2,3],"name":"gatus"}""",
        Addresses = [IPAddress.Parse("192.168.1.20")],
        ObservedAt = DateTimeOffset.UnixEpoch,
    };

    [Theory]
    [InlineData("[BODY].status == pat(U*)", true)]
    [InlineData("[BODY].status == pat(u*)", false)]
    [InlineData("[BODY].status != pat(D*)", true)]
    [InlineData("[BODY].status != pat(U?)", false)]
    [InlineData("[BODY].host == pat(*.example.com)", true)]
    [InlineData("pat(*.example.com) == [BODY].host", true)]
    [InlineData("[BODY].host == pat(*.example.org)", false)]
    [InlineData("[IP] == pat(192.168.*.*)", true)]
    [InlineData("[IP] == pat(10.*)", false)]
    [InlineData("[STATUS] == pat(2??)", true)]
    [InlineData("[STATUS] == pat(4*)", false)]
    [InlineData("[BODY].name == pat([fg]atu[^x])", true)]
    [InlineData("[BODY].name == pat([a-c]*)", false)]
    [InlineData("[BODY] == pat(*\"status\":\"UP\"*)", true)]
    [InlineData("[BODY].status == pat(*)", true)]
    public void Pat_matches_gatus_wildcard_patterns(string text, bool ok) => Verdict(text, Json).ShouldBe(ok);

    [Theory]
    [InlineData("[BODY].n == 0x1F", true)]
    [InlineData("[BODY].n == 0o37", true)]
    [InlineData("[BODY].n == 0b11111", true)]
    [InlineData("[BODY].n == 0x20", false)]
    [InlineData("[BODY].hex == 31", true)]
    [InlineData("[BODY].oct == 15", true)]
    [InlineData("[BODY].bin == 5", true)]
    [InlineData("[BODY].hex > 0x10", true)]
    [InlineData("[BODY].bin < 0b100", false)]
    [InlineData("[STATUS] == 0xC8", true)]
    public void Numbers_may_be_written_in_hexadecimal_octal_or_binary(string text, bool ok) => Verdict(text, Json).ShouldBe(ok);

    [Theory]
    [InlineData("len([BODY].items) == 3", true)]
    [InlineData("len([BODY].name) == 5", true)]
    [InlineData("len([BODY].items) > 3", false)]
    public void Len_counts_the_items_of_an_array_and_the_characters_of_text(string text, bool ok) => Verdict(text, Json).ShouldBe(ok);

    [Fact]
    public void Len_of_a_body_that_is_a_json_array_counts_its_items()
    {
        var seen = Json with { Body = """[{"id":1},{"id":2},{"id":3},{"id":4}]""" };

        Verdict("len([BODY]) == 4", seen).ShouldBeTrue();
        Verdict("len([BODY]) == 36", seen).ShouldBeFalse();
    }

    [Fact]
    public void Len_of_a_body_that_is_not_an_array_counts_its_characters() =>
        Verdict("len([BODY]) == 5", Json with { Body = "hello" }).ShouldBeTrue();

    [Fact]
    public void The_body_of_a_dns_check_is_the_bare_answer()
    {
        var seen = new Observation
        {
            Connected = true,
            DnsRcode = "NOERROR",
            Nameserver = new IPEndPoint(IPAddress.Loopback, 53),
            DnsAnswers =
            [
                new DnsAnswer("example.org.", "CNAME", TimeSpan.FromHours(1), "edge.example.org.") { Value = "edge.example.org." },
                new DnsAnswer("edge.example.org.", "A", TimeSpan.FromHours(1), "93.184.216.34") { Value = "93.184.216.34" },
            ],
            Body = "edge.example.org.\n93.184.216.34",
        };

        Verdict("[BODY] == 93.184.216.34", seen).ShouldBeTrue();
        Verdict("[BODY] == edge.example.org.", seen).ShouldBeTrue();
        Verdict("[BODY] == 93.184.216.35", seen).ShouldBeFalse();
        Verdict("[BODY] != 93.184.216.34", seen).ShouldBeFalse();
        Verdict("[BODY] == pat(93.184.*)", seen).ShouldBeTrue();
    }

    [Theory]
    [InlineData("[BODY] == pat(x", "not closed")]
    [InlineData("[BODY] contains pat(x*)", "pat(...) compares only with == or !=")]
    [InlineData("[BODY] == pat()", "needs a pattern")]
    public void A_broken_pat_is_refused_with_a_reason(string text, string reason)
    {
        ConditionParser.TryParse(text, out _, out var error).ShouldBeFalse();
        error!.Reason.ShouldContain(reason);
    }

    private static bool Verdict(string text, Observation seen)
    {
        ConditionParser.TryParse(text, out var condition, out var error).ShouldBeTrue(error?.ToString());
        var result = ConditionEvaluator.Evaluate(condition!, seen);
        return result.Ok;
    }
}
