using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Lifeline.Testing;

namespace Lifeline.Server.Tests;

/// <summary>Telegram through the whole server, against a fake Bot API on loopback.</summary>
public class TelegramTests : IAsyncLifetime
{
    /// <summary>Starts the server under test: on SQLite here, on PostgreSQL in the derived class.</summary>
    protected virtual Task<LifelineApp> StartAppAsync(params string[] args) => LifelineApp.StartAsync(args);

    private const string Token = "123456:test-token_abc";
    private const long AllowedChat = 4242;
    private const long OtherChat = 777;
    private RecordingServer _telegram = null!;
    private LifelineApp _app = null!;
    private int _updatesServed;
    private volatile bool _commandsReady;

    public async Task InitializeAsync()
    {
        _telegram = await RecordingServer.StartAsync();
        _telegram.Responder = request =>
        {
            if (request.Path.EndsWith("/getUpdates", StringComparison.Ordinal))
            {
                // Two commands once (one from a stranger) when the test is ready, else nothing new.
                if (_commandsReady && Interlocked.Exchange(ref _updatesServed, 1) == 0)
                {
                    return new Reply(200, $$$"""
                        {"ok":true,"result":[
                          {"update_id":10,"message":{"message_id":1,"chat":{"id":{{{OtherChat}}},"type":"private"},"date":1,"text":"/status"}},
                          {"update_id":11,"message":{"message_id":2,"chat":{"id":{{{AllowedChat}}},"type":"private"},"date":1,"text":"/status"}}
                        ]}
                        """);
                }
                return new Reply(200, """{"ok":true,"result":[]}""");
            }
            return new Reply(200, """{"ok":true,"result":{"message_id":99}}""");
        };
        _app = await StartAppAsync(
            $"--Lifeline:Telegram:BotToken={Token}",
            $"--Lifeline:Telegram:AllowedChatIds:0={AllowedChat}",
            $"--Lifeline:Telegram:ApiBase={_telegram.BaseUri.ToString().TrimEnd('/')}",
            "--Lifeline:Telegram:PollTimeout=00:00:00",
            "--Lifeline:Telegram:ReplyInterval=00:00:00");
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _telegram.DisposeAsync();
    }

    private IEnumerable<JsonNode> SentMessages() =>
        _telegram.Requests.Where(r => r.Path.EndsWith("/sendMessage", StringComparison.Ordinal)).Select(r => JsonNode.Parse(r.Body)!);

    [Fact]
    public async Task The_bot_answers_status_in_an_allowed_chat_and_ignores_other_chats()
    {
        await _app.CreateMonitorAsync(new { name = "nightly-backup" });
        _commandsReady = true;

        // Empty polls are paced on the server's clock: move it on so the bot polls again.
        var replies = await Eventually.GetAsync(() =>
        {
            _app.Clock.Advance(TimeSpan.FromSeconds(1));
            return Task.FromResult(SentMessages().ToList());
        }, sent => sent.Count > 0);

        var reply = replies.Single();
        reply["chat_id"]!.ToString().ShouldBe(AllowedChat.ToString(System.Globalization.CultureInfo.InvariantCulture));
        reply["text"]!.GetValue<string>().ShouldContain("nightly-backup");
        _telegram.Requests.ShouldAllBe(r => r.Path.StartsWith($"/bot{Token}/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_telegram_channel_gets_the_down_notice_of_a_push()
    {
        using var channel = await _app.Admin.PostAsJsonAsync("api/v1/channels", new
        {
            kind = "telegram",
            name = "ops chat",
            botToken = Token,
            chatId = "-100123",
            apiBase = _telegram.BaseUri.ToString().TrimEnd('/'),
        });
        var channelId = JsonNode.Parse(await channel.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
        var monitor = await _app.CreateMonitorAsync(new { name = "db-sync", channels = new[] { channelId } });

        await _app.Anonymous.GetAsync($"api/push/{monitor["pushToken"]!.GetValue<string>()}?status=down&msg=sync-failed");
        var alert = await Eventually.GetAsync(
            () => Task.FromResult(SentMessages().FirstOrDefault(m => m["chat_id"]!.ToString() == "-100123")),
            m => m is not null);

        var text = alert!["text"]!.GetValue<string>();
        text.ShouldContain("db-sync");
        text.ShouldContain("sync-failed");
        alert["parse_mode"]!.GetValue<string>().ShouldBe("HTML");
    }
}

/// <summary>The same tests on PostgreSQL.</summary>
public sealed class PostgresTelegramTests : TelegramTests
{
    protected override Task<LifelineApp> StartAppAsync(params string[] args) => LifelineApp.StartOnPostgresAsync(args);
}
