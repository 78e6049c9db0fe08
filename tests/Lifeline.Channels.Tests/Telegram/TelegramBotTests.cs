using System.Text.Json.Nodes;
using Lifeline.Channels.Telegram;
using Lifeline.Channels.Tests.Support;
using Lifeline.Testing;

namespace Lifeline.Channels.Tests.Telegram;

public sealed class TelegramBotTests : IAsyncLifetime, IDisposable
{
    private const long AllowedChat = 42;
    private const long AllowedGroup = -100777;

    private readonly ManualClock _clock = new(Notices.At);
    private readonly HttpClient _http = new();
    private readonly MemoryBotBackend _backend = new();
    private readonly MemoryOffsetStore _offsets = new();
    private readonly ListLogger<TelegramBot> _logger = new();
    private FakeBotApi _api = null!;

    public async Task InitializeAsync() => _api = await FakeBotApi.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Status_lists_the_server_the_scheduler_and_every_monitor_down_first()
    {
        _backend.Status = _backend.Status with
        {
            Monitors =
            [
                new BotMonitor("web", MonitorStatus.Up, Notices.At.AddSeconds(-30)),
                new BotMonitor("backup", MonitorStatus.Down, Notices.At.AddHours(-2)),
                new BotMonitor("cron-<x>", MonitorStatus.Late, Notices.At.AddMinutes(-7)),
                new BotMonitor("fresh", MonitorStatus.New, null),
            ],
        };
        _api.Say(AllowedChat, "/status");

        await Bot().PollOnceAsync(CancellationToken.None);

        var reply = _api.Sent().Single();
        reply["chat_id"]!.GetValue<long>().ShouldBe(AllowedChat);
        reply["parse_mode"]!.GetValue<string>().ShouldBe("HTML");
        var lines = reply["text"]!.GetValue<string>().Split('\n');
        lines[0].ShouldBe("<b>Lifeline status</b>");
        lines[1].ShouldBe("Server: running, started 3 h ago (2026-01-05 09:00:00 UTC)");
        lines[2].ShouldBe("Scheduler: running, last tick 5 s ago (2026-01-05 11:59:55 UTC)");
        lines[3].ShouldBe("4 monitors: 1 down, 1 late, 1 up, 1 new");
        lines[5].ShouldBe("\U0001F534 <b>backup</b>: down, last heard 2 h ago (2026-01-05 10:00:00 UTC)");
        lines[6].ShouldBe("\U0001F7E0 <b>cron-&lt;x&gt;</b>: late, last heard 7 min ago (2026-01-05 11:53:00 UTC)");
        lines[7].ShouldBe("\U0001F7E2 <b>web</b>: up, last heard 30 s ago (2026-01-05 11:59:30 UTC)");
        lines[8].ShouldBe("\u26AA <b>fresh</b>: new, never heard from");
    }

    [Fact]
    public async Task Status_lists_the_nodes_of_a_cluster_and_which_one_answers()
    {
        _backend.Status = _backend.Status with
        {
            Monitors = [new BotMonitor("web", MonitorStatus.Up, Notices.At.AddSeconds(-30))],
            Nodes =
            [
                new BotNode("n1abc", "http://host-1:5080", "1.4.0", Notices.At.AddSeconds(-1), Up: true, Self: true),
                new BotNode("n2def", "http://host-<2>:5080", "1.4.0", Notices.At.AddMinutes(-3), Up: false, Self: false),
            ],
        };
        _api.Say(AllowedChat, "/status");

        await Bot().PollOnceAsync(CancellationToken.None);

        var lines = _api.Sent().Single()["text"]!.GetValue<string>().Split('\n');
        lines[3].ShouldBe("Nodes: 1 of 2 up");
        lines[4].ShouldBe("  \u2705 http://host-1:5080 (n1abc, 1.4.0), seen 1 s ago (2026-01-05 11:59:59 UTC), answering");
        lines[5].ShouldBe("  \u274c http://host-&lt;2&gt;:5080 (n2def, 1.4.0), seen 3 min ago (2026-01-05 11:57:00 UTC)");
        lines[6].ShouldBe("1 monitor: 1 up");
    }

    [Fact]
    public async Task A_long_status_is_split_across_messages_and_nothing_is_cut_off()
    {
        var monitors = Enumerable.Range(0, 400)
            .Select(i => new BotMonitor($"host-{i:000}-{new string('n', 40)}", i % 7 == 0 ? MonitorStatus.Down : MonitorStatus.Up, Notices.At.AddMinutes(-i)))
            .ToList();
        _backend.Status = _backend.Status with { Monitors = monitors };
        _api.Say(AllowedChat, "/status");

        await Bot().PollOnceAsync(CancellationToken.None);

        var texts = _api.Sent().Select(m => m["text"]!.GetValue<string>()).ToList();
        texts.Count.ShouldBeGreaterThan(1);
        texts.ShouldAllBe(t => t.Length <= TelegramHtml.MaxMessageLength);
        texts.ShouldAllBe(t => !t.Contains('\u2026'));
        var listed = texts.SelectMany(t => t.Split('\n')).Where(l => l.Contains("<b>host-", StringComparison.Ordinal)).ToList();
        listed.Count.ShouldBe(400);
        listed.Distinct().Count().ShouldBe(400);
        listed.Take(monitors.Count(m => m.Status == MonitorStatus.Down)).ShouldAllBe(l => l.Contains(": down,", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Down_lists_only_monitors_that_are_down_or_late()
    {
        _backend.Status = _backend.Status with
        {
            Monitors = [new("web", MonitorStatus.Up, Notices.At), new("backup", MonitorStatus.Down, null), new("cron", MonitorStatus.Late, Notices.At)],
        };
        _api.Say(AllowedChat, "/down");

        await Bot().PollOnceAsync(CancellationToken.None);

        var text = _api.Sent().Single()["text"]!.GetValue<string>();
        text.ShouldStartWith("<b>2 monitors down or late</b>");
        text.ShouldContain("<b>backup</b>: down");
        text.ShouldContain("<b>cron</b>: late");
        text.ShouldNotContain("web");
    }

    [Fact]
    public async Task Down_with_nothing_down_says_so()
    {
        _backend.Status = _backend.Status with { Monitors = [new("web", MonitorStatus.Up, Notices.At)] };
        _api.Say(AllowedChat, "/down");

        await Bot().PollOnceAsync(CancellationToken.None);

        _api.Sent().Single()["text"]!.GetValue<string>().ShouldBe("\u2705 Nothing is down or late (1 monitor watched).");
    }

    [Fact]
    public async Task Commands_from_chats_not_allowed_get_no_answer_and_are_logged()
    {
        _api.Say(999, "/status");
        _api.Say(AllowedGroup, "/help");

        var taken = await Bot().PollOnceAsync(CancellationToken.None);

        taken.ShouldBe(2);
        _api.Sent().Single()["chat_id"]!.GetValue<long>().ShouldBe(AllowedGroup);
        _logger.Messages.ShouldContain(m => m.Contains("chat 999", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Each_update_is_acknowledged_with_the_next_offset()
    {
        _api.Say(AllowedChat, "/help");
        var last = _api.Say(AllowedChat, "hello there");
        var bot = Bot();

        await bot.PollOnceAsync(CancellationToken.None);
        await bot.PollOnceAsync(CancellationToken.None);

        _offsets.Offset.ShouldBe(last + 1);
        var polls = _api.Polls();
        polls[0].ContainsKey("offset").ShouldBeFalse();
        polls[1]["offset"]!.GetValue<long>().ShouldBe(last + 1);
        polls[0]["timeout"]!.GetValue<int>().ShouldBe(0);
        _api.Sent().Count.ShouldBe(1);
    }

    [Fact]
    public async Task A_restarted_bot_does_not_answer_a_command_twice()
    {
        _api.Say(AllowedChat, "/status");
        await Bot().PollOnceAsync(CancellationToken.None);

        var restarted = Bot();
        var taken = await restarted.PollOnceAsync(CancellationToken.None);

        taken.ShouldBe(0);
        _api.Sent().Count.ShouldBe(1);
        _api.Polls()[1]["offset"]!.GetValue<long>().ShouldBe(_offsets.Offset!.Value);
    }

    [Fact]
    public async Task Commands_addressed_to_this_bot_are_answered_and_those_for_others_are_not()
    {
        _api.Say(AllowedGroup, $"/status@{FakeBotApi.Username}");
        _api.Say(AllowedGroup, "/status@SomeOtherBot");
        _api.Say(AllowedGroup, "/HELP@lifelinebot");

        var bot = Bot();
        await bot.PollOnceAsync(CancellationToken.None);

        bot.Username.ShouldBe(FakeBotApi.Username);
        var texts = _api.Sent().Select(m => m["text"]!.GetValue<string>()).ToList();
        texts.Count.ShouldBe(2);
        texts[0].ShouldStartWith("<b>Lifeline status</b>");
        texts[1].ShouldStartWith("<b>Lifeline bot</b>");
    }

    [Fact]
    public async Task Pause_and_resume_pass_the_name_to_the_server_and_relay_its_answer()
    {
        _api.Say(AllowedChat, "/pause  nightly backup ");
        _api.Say(AllowedChat, "/resume nightly backup");

        await Bot().PollOnceAsync(CancellationToken.None);

        _backend.Paused.ShouldBe(["nightly backup"]);
        _backend.Resumed.ShouldBe(["nightly backup"]);
        _api.Sent().Select(m => m["text"]!.GetValue<string>()).ShouldBe(["Paused nightly backup. &lt;no alerts&gt;", "Resumed nightly backup."]);
    }

    [Fact]
    public async Task Ack_passes_the_name_and_the_telegram_user_to_the_server_and_relays_its_answer()
    {
        _api.Say(AllowedChat, "/ack nightly backup", from: "alice");
        _api.Say(AllowedChat, "/ack");

        await Bot().PollOnceAsync(CancellationToken.None);

        _backend.Acknowledged.ShouldBe([("nightly backup", "alice")]);
        _api.Sent().Select(m => m["text"]!.GetValue<string>()).ShouldBe(["nightly backup acknowledged by alice.", "Which monitor? Send /ack &lt;name&gt;."]);
    }

    [Fact]
    public async Task Pause_without_a_name_asks_which_monitor()
    {
        _api.Say(AllowedChat, "/pause");

        await Bot().PollOnceAsync(CancellationToken.None);

        _backend.Paused.ShouldBeEmpty();
        _api.Sent().Single()["text"]!.GetValue<string>().ShouldBe("Which monitor? Send /pause &lt;name&gt;.");
    }

    [Fact]
    public async Task Unknown_commands_get_a_hint_and_plain_text_is_ignored()
    {
        _api.Say(AllowedChat, "/frobnicate");
        _api.Say(AllowedChat, "just chatting");

        await Bot().PollOnceAsync(CancellationToken.None);

        _api.Sent().Single()["text"]!.GetValue<string>().ShouldBe("Unknown command. Send /help for the list.");
    }

    [Fact]
    public async Task Help_lists_every_command()
    {
        _api.Say(AllowedChat, "/help");

        await Bot().PollOnceAsync(CancellationToken.None);

        var text = _api.Sent().Single()["text"]!.GetValue<string>();
        foreach (var command in new[] { "/status", "/down", "/pause", "/resume", "/ack", "/help" })
        {
            text.ShouldContain(command);
        }
    }

    [Fact]
    public async Task Replies_in_a_forum_topic_stay_in_that_topic()
    {
        _api.Say(AllowedGroup, "/help", threadId: 12);

        await Bot().PollOnceAsync(CancellationToken.None);

        _api.Sent().Single()["message_thread_id"]!.GetValue<long>().ShouldBe(12);
    }

    [Fact]
    public async Task A_429_on_a_reply_waits_retry_after_and_sends_again()
    {
        _api.SendReplies.Enqueue(new Reply(429, """{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}}"""));
        _api.Say(AllowedChat, "/help");

        var polling = Bot().PollOnceAsync(CancellationToken.None);
        await _api.Server.WaitForAsync(3);
        await AdvanceUntil(() => polling.IsCompleted, TimeSpan.FromSeconds(1));
        await polling;

        _api.Sent().Count.ShouldBe(2);
        _clock.GetUtcNow().ShouldBeGreaterThanOrEqualTo(Notices.At.AddSeconds(3));
    }

    [Fact]
    public async Task The_loop_survives_failed_polls_and_backs_off_without_logging_the_token()
    {
        _api.FailGetUpdates = 502;
        using var stop = new CancellationTokenSource();
        var running = Bot().RunAsync(stop.Token);
        await _api.Server.WaitForAsync(2);

        _api.FailGetUpdates = null;
        _api.Say(AllowedChat, "/help");
        await AdvanceUntil(() => _api.Sent().Count > 0, TimeSpan.FromMilliseconds(500));
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(70));

        _api.Sent().Count.ShouldBe(1);
        _logger.Messages.ShouldContain(m => m.Contains("getUpdates failed", StringComparison.Ordinal));
        _logger.Messages.ShouldAllBe(m => !m.Contains(FakeBotApi.Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_token_the_bot_does_not_run()
    {
        var bot = new TelegramBot(_http, new TelegramBotOptions { ApiBase = _api.ApiBase }, _backend, _offsets, _clock, _logger);

        await bot.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));

        _api.Server.Requests.ShouldBeEmpty();
    }

    [Fact]
    public void Bot_settings_report_every_problem_at_once()
    {
        var options = new TelegramBotOptions { BotToken = "nope", ApiBase = "ftp://x", PollTimeout = TimeSpan.FromHours(1), MaxBackoff = TimeSpan.Zero };

        var problems = options.Problems();

        problems.Count.ShouldBe(4);
        problems.ShouldAllBe(p => p.StartsWith("Lifeline:Telegram:", StringComparison.Ordinal));
        new TelegramBotOptions().Problems().ShouldBeEmpty();
        new TelegramBotOptions { BotToken = FakeBotApi.Token }.Problems().ShouldBeEmpty();
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(4, 8)]
    [InlineData(7, 60)]
    [InlineData(100, 60)]
    public void Failed_polls_back_off_doubling_up_to_the_cap(int failures, int seconds) =>
        TelegramBot.Backoff(failures, TimeSpan.FromMinutes(1)).ShouldBe(TimeSpan.FromSeconds(seconds));

    [Theory]
    [InlineData("/status", null, "status", "")]
    [InlineData("/Status@LifelineBot", "LifelineBot", "status", "")]
    [InlineData("/pause@lifelinebot db one", "LifelineBot", "pause", "db one")]
    [InlineData("/pause\nname", null, "pause", "name")]
    public void Commands_are_read_with_their_argument(string text, string? username, string name, string argument) =>
        TelegramBot.ParseCommand(text, username).ShouldBe((name, argument));

    [Theory]
    [InlineData("hello")]
    [InlineData("/")]
    [InlineData("/status@OtherBot")]
    public void Plain_text_and_commands_for_other_bots_are_not_commands(string text) =>
        TelegramBot.ParseCommand(text, "LifelineBot").ShouldBeNull();

    private TelegramBot Bot() => new(_http, new TelegramBotOptions
    {
        BotToken = FakeBotApi.Token,
        AllowedChatIds = [AllowedChat, AllowedGroup],
        ApiBase = _api.ApiBase,
        PollTimeout = TimeSpan.Zero,
        ReplyInterval = TimeSpan.Zero,
    }, _backend, _offsets, _clock, _logger);

    // The bot waits on timers of the manual clock; time moves in steps until the condition holds.
    private async Task AdvanceUntil(Func<bool> done, TimeSpan step)
    {
        for (var i = 0; i < 500 && !done(); i++)
        {
            _clock.Advance(step);
            await Task.Delay(10);
        }
        done().ShouldBeTrue();
    }
}
