using Lifeline.Checks.Conditions;

namespace Lifeline.Checks.Tests.Conditions;

public class ConditionParserTests
{
    [Theory]
    [InlineData("[STATUS] == 200")]
    [InlineData("[STATUS]==200")]
    [InlineData("[STATUS] != 500")]
    [InlineData("[STATUS] < 400")]
    [InlineData("[STATUS] >= 200")]
    [InlineData("[STATUS] == any(200, 201, 204)")]
    [InlineData("[BODY] contains \"ok\"")]
    [InlineData("[BODY] not contains 'error'")]
    [InlineData("[BODY] matches \"^\\\\{.*\\\\}$\"")]
    [InlineData("[BODY] not matches fail.*")]
    [InlineData("[BODY].status == UP")]
    [InlineData("[BODY].data[0].name == \"first\"")]
    [InlineData("[BODY][1].id == 2")]
    [InlineData("[BODY].count > 3")]
    [InlineData("len([BODY].data) == 3")]
    [InlineData("len([BODY]) < 100")]
    [InlineData("has([BODY].errors) == false")]
    [InlineData("has([BODY].data)")]
    [InlineData("[HEADER].content-type contains json")]
    [InlineData("[RESPONSE_TIME] < 500")]
    [InlineData("[RESPONSE_TIME] < 500ms")]
    [InlineData("[DNS_TIME] <= 1s")]
    [InlineData("[CONNECT_TIME] < 100")]
    [InlineData("[TLS_TIME] < 2s")]
    [InlineData("[FIRST_BYTE_TIME] < 1.5s")]
    [InlineData("[TRANSFER_TIME] < 1h30m")]
    [InlineData("[CONNECTED] == true")]
    [InlineData("[CONNECTED]")]
    [InlineData("[IP] == 127.0.0.1")]
    [InlineData("[IP] == ::1")]
    [InlineData("all([IP]) == 10.0.0.1")]
    [InlineData("len([IP]) >= 2")]
    [InlineData("[DNS_RCODE] == NOERROR")]
    [InlineData("[DNS_RCODE] == nxdomain")]
    [InlineData("[DNS_RCODE] != any(SERVFAIL, REFUSED)")]
    [InlineData("[CERTIFICATE_EXPIRATION] > 48h")]
    [InlineData("[CERTIFICATE_EXPIRATION] > 14d")]
    [InlineData("[CERTIFICATE_EXPIRATION] > 1209600000")]
    [InlineData("[CERTIFICATE_VALID] == true")]
    [InlineData("[HEALTH] == pass")]
    [InlineData("[HEALTH] == UP")]
    [InlineData("[HEALTH] != Unhealthy")]
    [InlineData("200 == [STATUS]")]
    [InlineData("[BODY].a == [BODY].b")]
    [InlineData("  [STATUS]   ==   200  ")]
    public void A_well_formed_condition_parses(string text)
    {
        var parsed = ConditionParser.TryParse(text, out var condition, out var error);

        parsed.ShouldBeTrue(error?.ToString());
        condition!.Text.ShouldBe(text);
    }

    [Theory]
    [InlineData("", 1, "empty")]
    [InlineData("   ", 4, "empty")]
    [InlineData("[STATUS]", 9, "expected an operator")]
    [InlineData("[STATUS] = 200", 10, "use ==")]
    [InlineData("[STATUS] ! 200", 10, "use !=")]
    [InlineData("[STATUS] ==", 12, "expected a value")]
    [InlineData("[STATUS] 200", 10, "expected an operator")]
    [InlineData("[STATUS] == 200 300", 17, "unexpected '300'")]
    [InlineData("[STATUS] == \"200", 13, "not closed")]
    [InlineData("[STATUS == 200", 1, "not closed")]
    [InlineData("[STATS] == 200", 1, "unknown placeholder [STATS]")]
    [InlineData("[status] == 200", 1, "unknown placeholder")]
    [InlineData("[STATUS].x == 200", 9, "takes no path")]
    [InlineData("[HEADER] == x", 9, "needs a header name")]
    [InlineData("[BODY]. == x", 8, "property name")]
    [InlineData("[BODY].a[x] == 1", 10, "array index")]
    [InlineData("[BODY].a[1 == 1", 10, "array index")]
    [InlineData("[BODY].a[99999999999] == 1", 10, "array index too large")]
    [InlineData("[BODY][2147483648].id == 1", 8, "array index too large")]
    [InlineData("[RESPONSE_TIME] < 99999999999d", 19, "number or a duration")]
    [InlineData("[CERTIFICATE_EXPIRATION] > 999999999999999999999999999h", 28, "number or a duration")]
    [InlineData("[STATUS] == 1e999", 13, "expected a number")]
    [InlineData("[STATUS] == UP", 13, "expected a number")]
    [InlineData("[STATUS] == 5m", 13, "expected a number")]
    [InlineData("[STATUS] < \"abc\"", 12, "expected a number")]
    [InlineData("[RESPONSE_TIME] < fast", 19, "number or a duration")]
    [InlineData("[CERTIFICATE_EXPIRATION] > soon", 28, "number or a duration")]
    [InlineData("[CONNECTED] == yes", 16, "true or false")]
    [InlineData("[CONNECTED] > 1", 13, "cannot be compared")]
    [InlineData("[DNS_RCODE] == NOPE", 16, "unknown DNS response code")]
    [InlineData("[DNS_RCODE] contains NO", 13, "compares only with == or !=")]
    [InlineData("[HEALTH] == maybe", 13, "unknown health")]
    [InlineData("[STATUS] contains 20", 10, "needs text on the left")]
    [InlineData("[BODY] matches \"(unclosed\"", 16, "invalid pattern")]
    [InlineData("[BODY] matches [STATUS]", 16, "needs a pattern")]
    [InlineData("200 == 200", 1, "placeholder")]
    [InlineData("size([BODY]) == 1", 1, "unknown function 'size'")]
    [InlineData("len([BODY], [STATUS]) == 1", 1, "exactly one")]
    [InlineData("len(3) == 1", 5, "takes a placeholder")]
    [InlineData("len([STATUS]) == 1", 5, "len(...) takes")]
    [InlineData("has([STATUS])", 5, "has(...) takes")]
    [InlineData("len() == 1", 5, "needs an argument")]
    [InlineData("any(1, 2 == [STATUS]", 10, "expected ',' or ')'")]
    [InlineData("[STATUS] == all([STATUS])", 13, "all(...) goes on the left")]
    [InlineData("[BODY] not equals x", 8, "'not' must be followed")]
    [InlineData("[BODY] == ,", 11, "expected a value but found ','")]
    public void A_malformed_condition_is_rejected_with_its_position(string text, int position, string reason)
    {
        var parsed = ConditionParser.TryParse(text, out _, out var error);

        parsed.ShouldBeFalse();
        error!.Reason.ShouldContain(reason);
        error.Position.ShouldBe(position, error.ToString());
        error.ToString().ShouldContain($"\"{text}\"");
        error.ToString().ShouldContain($"at position {position}");
    }

    [Fact]
    public void A_condition_nested_twenty_thousand_deep_is_rejected_without_overflowing_the_stack()
    {
        var nested = string.Concat(Enumerable.Repeat("any(", 20_000)) + "200" + new string(')', 20_000);

        var parsed = ConditionParser.TryParse("[STATUS] == " + nested, out _, out var error);

        parsed.ShouldBeFalse();
        error!.Reason.ShouldContain("nested too deeply");
        error.Position.ShouldBeLessThan(40);
    }

    [Fact]
    public void A_function_inside_a_function_keeps_its_own_message()
    {
        var parsed = ConditionParser.TryParse("[STATUS] == any(len([BODY]), 2)", out _, out var error);

        parsed.ShouldBeFalse();
        error!.Reason.ShouldContain("not functions");
    }

    [Fact]
    public void The_error_of_a_very_long_condition_shows_only_its_start()
    {
        var text = "[BODY] == " + new string('x', 100_000) + " 1";

        ConditionParser.TryParse(text, out _, out var error).ShouldBeFalse();

        error!.ToString().Length.ShouldBeLessThan(400);
        error.ToString().ShouldStartWith("\"[BODY] == xxx");
        error.ToString().ShouldContain("unexpected");
    }
}
