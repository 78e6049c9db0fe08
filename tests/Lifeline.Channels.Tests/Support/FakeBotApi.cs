using System.Text.Json.Nodes;
using Lifeline.Testing;

namespace Lifeline.Channels.Tests.Support;

/// <summary>
/// A stand-in for the Telegram Bot API on a <see cref="RecordingServer"/>: <c>getMe</c>,
/// <c>getUpdates</c> with Telegram's offset rule (updates below the offset are forgotten), and
/// <c>sendMessage</c>, whose calls are kept.
/// </summary>
public sealed class FakeBotApi : IAsyncDisposable
{
    public const string Token = "123456:TEST-token_abc";
    public const string Username = "LifelineBot";

    private readonly Lock _gate = new();
    private readonly List<JsonObject> _pending = [];
    private long _nextUpdateId = 1000;

    private FakeBotApi(RecordingServer server) => Server = server;

    public RecordingServer Server { get; }

    /// <summary>Answers for the next sendMessage calls, before the usual success.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<Reply> SendReplies { get; } = new();

    /// <summary>When set, getUpdates answers this status (with a Telegram error body) instead.</summary>
    public int? FailGetUpdates { get; set; }

    public string ApiBase => Server.BaseUri.ToString().TrimEnd('/');

    public static async Task<FakeBotApi> StartAsync()
    {
        var api = new FakeBotApi(await RecordingServer.StartAsync());
        api.Server.Responder = api.Answer;
        return api;
    }

    /// <summary>Queues a text message from a chat; returns its update id.</summary>
    public long Say(long chatId, string text, long? threadId = null, string? from = null)
    {
        lock (_gate)
        {
            var id = _nextUpdateId++;
            var message = new JsonObject
            {
                ["message_id"] = id,
                ["chat"] = new JsonObject { ["id"] = chatId, ["type"] = chatId < 0 ? "supergroup" : "private" },
                ["date"] = 1767614400,
                ["text"] = text,
            };
            if (from is not null)
            {
                message["from"] = new JsonObject { ["id"] = 4242, ["is_bot"] = false, ["first_name"] = "Alice", ["username"] = from };
            }
            if (threadId is not null)
            {
                message["message_thread_id"] = threadId;
                message["is_topic_message"] = true;
            }
            _pending.Add(new JsonObject { ["update_id"] = id, ["message"] = message });
            return id;
        }
    }

    public IReadOnlyList<JsonObject> Sent() =>
        [.. Server.Requests.Where(r => r.Path.EndsWith("/sendMessage", StringComparison.Ordinal)).Select(r => (JsonObject)JsonNode.Parse(r.Body)!)];

    public IReadOnlyList<JsonObject> Polls() =>
        [.. Server.Requests.Where(r => r.Path.EndsWith("/getUpdates", StringComparison.Ordinal)).Select(r => (JsonObject)JsonNode.Parse(r.Body)!)];

    private Reply Answer(RecordedRequest request)
    {
        if (!request.Path.StartsWith($"/bot{Token}/", StringComparison.Ordinal))
        {
            return new Reply(404, """{"ok":false,"error_code":404,"description":"Not Found"}""");
        }
        var method = request.Path[(request.Path.LastIndexOf('/') + 1)..];
        switch (method)
        {
            case "getMe":
                return Ok(new JsonObject { ["id"] = 123456, ["is_bot"] = true, ["username"] = Username });
            case "getUpdates":
                if (FailGetUpdates is { } status)
                {
                    return new Reply(status, $$"""{"ok":false,"error_code":{{status}},"description":"Bad Gateway"}""");
                }
                var offset = JsonNode.Parse(request.Body)?["offset"]?.GetValue<long>();
                lock (_gate)
                {
                    if (offset is not null)
                    {
                        _pending.RemoveAll(u => u["update_id"]!.GetValue<long>() < offset);
                    }
                    return Ok(new JsonArray([.. _pending.Select(u => u.DeepClone())]));
                }
            case "sendMessage":
                return SendReplies.TryDequeue(out var planned) ? planned : Ok(new JsonObject { ["message_id"] = 1 });
            default:
                return new Reply(404, """{"ok":false,"error_code":404,"description":"Not Found"}""");
        }
    }

    private static Reply Ok(JsonNode result) => new(200, new JsonObject { ["ok"] = true, ["result"] = result }.ToJsonString());

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
