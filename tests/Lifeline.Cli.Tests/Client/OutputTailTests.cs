using System.Text;
using Lifeline.Cli.Client;

namespace Lifeline.Cli.Tests.Client;

public class OutputTailTests
{
    [Fact]
    public void Keeps_only_the_newest_bytes()
    {
        var tail = new OutputTail(10);
        tail.Append("0123456789");
        tail.Append("abc");

        tail.Text(10).ShouldBe("3456789abc");
        tail.Text(4).ShouldBe("9abc");
        tail.Total.ShouldBe(13);
    }

    [Fact]
    public void A_character_cut_at_the_front_is_dropped_not_sent_broken()
    {
        var tail = new OutputTail(100);
        tail.Append("été");

        // "été" is c3 a9 74 c3 a9: the last 4 bytes start inside the first é.
        tail.Text(4).ShouldBe("té");
        Encoding.UTF8.GetByteCount(tail.Text(5)).ShouldBe(5);
    }

    [Fact]
    public void Growing_keeps_what_is_held_and_then_holds_more()
    {
        var tail = new OutputTail(4);
        tail.Append("abcdef");
        tail.EnsureCapacity(8);
        tail.Append("ghij");

        tail.Text(100).ShouldBe("cdefghij");
    }
}

public class DurationsTests
{
    [Theory]
    [InlineData("90", 90)]
    [InlineData("0.5", 0.5)]
    [InlineData("500ms", 0.5)]
    [InlineData("30s", 30)]
    [InlineData("5m", 300)]
    [InlineData("1h", 3600)]
    [InlineData(" 2M ", 120)]
    public void Reads_seconds_and_units(string text, double seconds)
    {
        Durations.TryParse(text, out var duration).ShouldBeTrue();
        duration.ShouldBe(TimeSpan.FromSeconds(seconds));
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("soon")]
    [InlineData("5d")]
    [InlineData("NaN")]
    public void Refuses_anything_else(string text) => Durations.TryParse(text, out _).ShouldBeFalse();
}
