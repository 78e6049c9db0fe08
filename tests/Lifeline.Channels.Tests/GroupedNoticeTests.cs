using System.Text.Json.Nodes;
using Lifeline.Channels.Telegram;
using Lifeline.Channels.Tests.Support;
using Lifeline.Channels.Webhook;

namespace Lifeline.Channels.Tests;

/// <summary>A storm of notices rendered as one: named, each with its reason, inside every size limit.</summary>
public sealed class GroupedNoticeTests
{
    private static Notice Storm(int count, string reason = "no signal for 20 min") =>
        Notice.Grouped([.. Enumerable.Range(0, count).Select(i => Notices.Down() with
        {
            Reason = reason,
            Monitor = Notices.Down().Monitor with { Id = $"mon_{i}", Name = $"job{i:000}" },
        })]);

    [Fact]
    public void A_group_names_its_first_monitors_and_counts_the_rest()
    {
        var text = NoticeText.From(Storm(12));

        text.Tone.ShouldBe(NoticeTone.Down);
        text.Title.ShouldBe("12 monitors DOWN");
        text.Headline.ShouldEndWith(": job000, job001, job002, job003, job004, job005, job006, job007, job008, job009 and 2 more.");
        text.Facts.Count.ShouldBe(12);
        text.Facts[0].ShouldBe(new NoticeFact("job000", "no signal for 20 min (since 2026-01-05 12:00:00 UTC)"));
        text.Link.ShouldBeNull();
    }

    [Fact]
    public void Two_hundred_monitors_with_long_reasons_fit_one_telegram_message()
    {
        var html = TelegramChannel.Render(NoticeText.From(Storm(200, new string('x', 2000))));

        html.Length.ShouldBeLessThanOrEqualTo(TelegramHtml.MaxMessageLength);
        html.ShouldContain("200 monitors DOWN");
    }

    [Fact]
    public void A_grouped_webhook_body_carries_each_notice_in_the_contract_shape()
    {
        var storm = Storm(3);

        var body = JsonNode.Parse(WebhookChannel.GroupBody(storm, storm.Group!))!;

        body["type"]!.GetValue<string>().ShouldBe("monitors.down");
        body["count"]!.GetValue<int>().ShouldBe(3);
        var first = body["notices"]![0]!;
        first["type"]!.GetValue<string>().ShouldBe("monitor.down");
        first["monitor"]!["name"]!.GetValue<string>().ShouldBe("job000");
        first["reason"]!.GetValue<string>().ShouldBe("no signal for 20 min");
        first.AsObject().ContainsKey("group").ShouldBeFalse();
    }
}
