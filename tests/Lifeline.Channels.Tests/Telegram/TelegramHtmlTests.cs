using Lifeline.Channels.Telegram;

namespace Lifeline.Channels.Tests.Telegram;

public sealed class TelegramHtmlTests
{
    [Fact]
    public void Escaping_covers_ampersands_angle_brackets_and_quotes() =>
        TelegramHtml.Escape("a<b>&\"c\"").ShouldBe("a&lt;b&gt;&amp;&quot;c&quot;");

    [Fact]
    public void Short_text_is_left_alone() => TelegramHtml.Fit("<b>hi</b>", 100).ShouldBe("<b>hi</b>");

    [Fact]
    public void Cutting_never_breaks_an_entity()
    {
        var cut = TelegramHtml.Fit("abc&amp;def", 6);

        cut.ShouldBe("abc\u2026");
    }

    [Fact]
    public void Cutting_inside_a_tag_closes_it()
    {
        var cut = TelegramHtml.Fit("<b>" + new string('x', 50) + "</b> tail", 20);

        cut.Length.ShouldBeLessThanOrEqualTo(20);
        cut.ShouldStartWith("<b>xxx");
        cut.ShouldEndWith("\u2026</b>");
    }

    [Fact]
    public void Cutting_never_splits_an_emoji()
    {
        var cut = TelegramHtml.Fit("ab\U0001F534\U0001F534", 4);

        cut.ShouldBe("ab\u2026");
    }

    [Fact]
    public void Splitting_keeps_whole_lines_and_every_line()
    {
        var lines = Enumerable.Range(0, 100).Select(i => $"line {i:000} " + new string('x', 40)).ToList();

        var messages = TelegramHtml.Split(lines, 500);

        messages.Count.ShouldBeGreaterThan(1);
        messages.ShouldAllBe(m => m.Length <= 500);
        messages.SelectMany(m => m.Split('\n')).ShouldBe(lines);
    }
}
