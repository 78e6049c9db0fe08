using Lifeline.Channels.Tests.Support;

namespace Lifeline.Channels.Tests;

public sealed class NoticeTextTests
{
    [Fact]
    public void A_down_notice_says_which_monitor_since_when_why_and_where()
    {
        var text = NoticeText.From(Notices.Down());

        text.Tone.ShouldBe(NoticeTone.Down);
        text.Title.ShouldBe("backup-db is DOWN");
        text.Headline.ShouldBe("Down since 2026-01-05 12:00:00 UTC.");
        text.Facts.ShouldContain(new NoticeFact("Reason", "no signal for 20 min"));
        text.Facts.ShouldContain(new NoticeFact("Last message", "disk 91% full"));
        text.Facts.ShouldContain(new NoticeFact("Last heard from", "2026-01-05 11:40:00 UTC"));
        text.Link.ShouldBe("http://127.0.0.1:5080/#/monitors/mon_42");
        text.Body.ShouldContain("http://127.0.0.1:5080/#/monitors/mon_42");
    }

    [Fact]
    public void A_parents_down_notice_says_in_one_line_how_many_dependants_are_affected()
    {
        var text = NoticeText.From(Notices.Down() with { Dependants = 30, DependantsDown = 3 });
        var plain = NoticeText.From(Notices.Down());

        text.Facts.ShouldContain(new NoticeFact("Dependants", "30 dependants affected (3 already down); their down notices are held while this monitor is down"));
        plain.Facts.ShouldNotContain(f => f.Label == "Dependants");
        NoticeJson.Serialize(Notices.Down()).ShouldNotContain("dependants");
        NoticeJson.Serialize(Notices.Down() with { Dependants = 30, DependantsDown = 3 }).ShouldContain("\"dependants\":30");
    }

    [Fact]
    public void A_recovery_says_how_long_the_monitor_was_down()
    {
        var text = NoticeText.From(Notices.Up());

        text.Title.ShouldBe("backup-db is UP again");
        text.Headline.ShouldBe("Recovered at 2026-01-05 12:25:00 UTC after 25 min down (since 2026-01-05 12:00:00 UTC).");
    }

    [Fact]
    public void A_recovery_without_its_start_still_says_when_it_recovered()
    {
        var text = NoticeText.From(Notices.Up() with { IncidentStartedAt = null });

        text.Headline.ShouldBe("Recovered at 2026-01-05 12:25:00 UTC.");
    }

    [Fact]
    public void A_test_notice_says_nothing_is_wrong()
    {
        var text = NoticeText.From(Notices.Test());

        text.Tone.ShouldBe(NoticeTone.Test);
        text.Title.ShouldBe("Test notice for backup-db");
        text.Headline.ShouldContain("Nothing is wrong");
    }

    [Fact]
    public void The_last_message_is_left_out_when_it_repeats_the_reason()
    {
        var notice = Notices.Down(reason: "disk 91% full");

        NoticeText.From(notice).Facts.Count(f => f.Value == "disk 91% full").ShouldBe(1);
    }

    [Fact]
    public void Long_reasons_are_cut_to_a_thousand_characters()
    {
        var text = NoticeText.From(Notices.Down(reason: new string('x', 5000)));

        text.Facts.Single(f => f.Label == "Reason").Value.Length.ShouldBe(NoticeText.MaxValueLength);
    }

    [Fact]
    public void Cutting_never_splits_a_surrogate_pair()
    {
        var cut = NoticeText.Cut("ab\U0001F534cd", 4);

        cut.ShouldBe("ab\u2026");
    }

    [Theory]
    [InlineData(45, "45 s")]
    [InlineData(300, "5 min")]
    [InlineData(7500, "2 h 5 min")]
    [InlineData(7200, "2 h")]
    [InlineData(273600, "3 d 4 h")]
    public void Durations_read_in_at_most_two_units(int seconds, string expected) =>
        NoticeText.Duration(TimeSpan.FromSeconds(seconds)).ShouldBe(expected);
}
