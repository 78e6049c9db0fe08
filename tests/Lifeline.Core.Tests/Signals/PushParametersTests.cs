namespace Lifeline.Core.Tests.Signals;

public class PushParametersTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(null, true)]
    [InlineData("", true)]
    [InlineData("up", true)]
    [InlineData("UP", true)]
    [InlineData("ok", true)]
    [InlineData("true", true)]
    [InlineData("1", true)]
    [InlineData("down", false)]
    [InlineData("Down", false)]
    [InlineData("fail", false)]
    [InlineData("error", false)]
    [InlineData("false", false)]
    [InlineData("0", false)]
    public void Status_words_map_to_up_or_down(string? status, bool up)
    {
        PushParameters.TryParseStatus(status, out var parsed).ShouldBeTrue();
        parsed.ShouldBe(up);
    }

    [Theory]
    [InlineData("maybe", "status")]
    [InlineData("up", null, "abc", null, "value")]
    [InlineData("up", null, "NaN", null, "value")]
    [InlineData("up", null, "Infinity", null, "value")]
    [InlineData("up", null, null, "fast", "ping")]
    public void A_bad_parameter_is_named(string? status, string? bad, string? value = null, string? ping = null, string? expected = null)
    {
        var signal = PushParameters.TryBuildPush(status, null, value, ping, T0, null, out var badParameter);

        signal.ShouldBeNull();
        badParameter.ShouldBe(expected ?? bad);
    }

    [Fact]
    public void Empty_ping_and_value_mean_absent()
    {
        var signal = PushParameters.TryBuildPush("up", "OK", "", "", T0, null, out _)!;

        signal.Value.ShouldBeNull();
        signal.PingMs.ShouldBeNull();
    }

    [Fact]
    public void The_message_defaults_to_ok_and_is_cut_at_1000_characters()
    {
        PushParameters.TryBuildPush(null, null, null, null, T0, null, out _)!.Message.ShouldBe("OK");
        PushParameters.TryBuildPush(null, new string('x', 5000), null, null, T0, null, out _)!.Message!.Length.ShouldBe(1000);
    }

    [Fact]
    public void Numbers_are_read_with_the_invariant_culture()
    {
        var signal = PushParameters.TryBuildPush("up", null, "123.5", "42", T0, null, out _)!;

        signal.Value.ShouldBe(123.5);
        signal.PingMs.ShouldBe(42);
    }
}
