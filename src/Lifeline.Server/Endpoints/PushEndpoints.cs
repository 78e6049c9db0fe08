using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Lifeline.Server.Endpoints;

/// <summary>
/// The push URL families (CONTRACT §2). No auth: the token in the URL is the secret. An answer of
/// 200 means the signal is committed to disk.
/// </summary>
internal static class PushEndpoints
{
    private static readonly string[] KumaMethods = ["GET", "POST", "PUT", "HEAD"];
    private static readonly string[] PingMethods = ["GET", "POST", "PUT", "HEAD"];

    public static IEndpointRouteBuilder MapPush(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/api/push/{token}", KumaMethods, KumaPush);
        app.MapMethods("/ping/{**path}", PingMethods, HealthchecksPing);
        return app;
    }

    // ---- Tianji / Uptime Kuma: /api/push/{token}?status=&msg=&value=&ping=

    private static async Task KumaPush(HttpContext context, string token, Ingestor ingestor, TimeProvider clock)
    {
        var request = context.Request;
        var query = request.Query;
        string? status = query["status"], msg = query["msg"], value = query["value"], ping = query["ping"];
        if (HasBody(request))
        {
            var (fields, error) = await ReadPushFieldsAsync(request, context.RequestAborted);
            if (error is not null)
            {
                await KumaAnswer(context, 400, false, $"bad request body: {error}", "body");
                return;
            }
            status ??= fields.GetValueOrDefault("status");
            msg ??= fields.GetValueOrDefault("msg");
            value ??= fields.GetValueOrDefault("value");
            ping ??= fields.GetValueOrDefault("ping");
        }
        var signal = PushParameters.TryBuildPush(status, msg, value, ping, clock.GetUtcNow(), Source(context), out var bad);
        if (signal is null)
        {
            var hint = bad == "status" ? "status must be up or down (also ok/true/1, fail/error/false/0)" : $"{bad} must be a finite number";
            await KumaAnswer(context, 400, false, hint, bad);
            return;
        }
        var result = await ingestor.RecordAsync(SignalAddress.ForToken(token), signal, CancellationToken.None);
        if (result.Outcome == SignalOutcome.NotFound)
        {
            await KumaAnswer(context, 404, false, "Monitor not found or not active.", null);
            return;
        }
        await KumaAnswer(context, 200, true, signal.Ok ? "OK" : "recorded: down", null);
    }

    private static Task KumaAnswer(HttpContext context, int status, bool ok, string message, string? field)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return Task.CompletedTask;
        }
        var body = ok
            ? JsonSerializer.SerializeToUtf8Bytes(new OkAnswer(true, message), PushJson.Default.OkAnswer)
            : JsonSerializer.SerializeToUtf8Bytes(new ErrorAnswer(false, message, message, field), PushJson.Default.ErrorAnswer);
        return response.Body.WriteAsync(body).AsTask();
    }

    // ---- Healthchecks: /ping/{token}[/start|/fail|/log|/{exit}] and /ping/{pingKey}/{slug}[/...]

    private static async Task HealthchecksPing(HttpContext context, string? path, Ingestor ingestor, PingKey pingKey, TimeProvider clock, IOptions<LifelineOptions> options)
    {
        var limit = options.Value.PingBodyLimit;
        context.Response.Headers["Ping-Body-Limit"] = limit.ToString(CultureInfo.InvariantCulture);
        var segments = (path ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length is 0 or > 3)
        {
            await PlainAnswer(context, 404, "not found");
            return;
        }
        SignalAddress address;
        string? suffix;
        if (segments.Length >= 2 && pingKey.Matches(segments[0]))
        {
            address = new SignalAddress { Slug = segments[1], CreateIfMissing = WantsCreate(context.Request) ? () => NewSlugMonitor(segments[1], clock) : null };
            suffix = segments.Length == 3 ? segments[2] : null;
        }
        else if (segments.Length <= 2)
        {
            address = SignalAddress.ForToken(segments[0]);
            suffix = segments.Length == 2 ? segments[1] : null;
        }
        else
        {
            await PlainAnswer(context, 404, "not found");
            return;
        }

        Guid? rid = null;
        if (context.Request.Query["rid"] is { Count: > 0 } ridText && !string.IsNullOrEmpty(ridText))
        {
            if (!Guid.TryParse(ridText, out var parsed))
            {
                await FieldError(context, "rid", "rid must be a UUID");
                return;
            }
            rid = parsed;
        }

        SignalKind kind;
        var ok = true;
        int? exit = null;
        switch (suffix)
        {
            case null:
                kind = SignalKind.Success;
                break;
            case "start":
                kind = SignalKind.Start;
                break;
            case "fail":
                kind = SignalKind.Fail;
                ok = false;
                break;
            case "log":
                kind = SignalKind.Log;
                break;
            default:
                if (suffix.Length == 0 || !suffix.All(char.IsAsciiDigit))
                {
                    await PlainAnswer(context, 404, "not found");
                    return;
                }
                if (!int.TryParse(suffix, NumberStyles.None, CultureInfo.InvariantCulture, out var code) || code > 255)
                {
                    await FieldError(context, "exitStatus", "exit status must be between 0 and 255");
                    return;
                }
                exit = code;
                ok = code == 0;
                kind = ok ? SignalKind.Success : SignalKind.Fail;
                break;
        }

        var body = await ReadBodyAsync(context.Request, limit, context.RequestAborted);
        var signal = new Signal
        {
            Kind = kind,
            Ok = ok,
            At = clock.GetUtcNow(),
            ExitStatus = exit,
            Body = body,
            Rid = rid,
            Source = Source(context),
        };
        var result = await ingestor.RecordAsync(address, signal, CancellationToken.None);
        switch (result.Outcome)
        {
            case SignalOutcome.NotFound:
                await PlainAnswer(context, 404, "not found");
                break;
            case SignalOutcome.Created:
                await PlainAnswer(context, 201, "Created");
                break;
            default:
                await PlainAnswer(context, 200, "OK");
                break;
        }
    }

    private static Monitor NewSlugMonitor(string slug, TimeProvider clock) => new()
    {
        Id = Secrets.NewId(),
        Name = slug,
        Slug = slug,
        Kind = MonitorKind.Push,
        PushToken = Secrets.NewPushToken(),
        CreatedAt = clock.GetUtcNow(),
    };

    private static bool WantsCreate(HttpRequest request) =>
        request.Query["create"] is { Count: > 0 } create && create.ToString() is "1" or "true" or "yes";

    private static Task PlainAnswer(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.WriteAsync(text);
    }

    /// <summary>A bad parameter: 400 with a JSON error naming it.</summary>
    private static Task FieldError(HttpContext context, string field, string message)
    {
        context.Response.StatusCode = 400;
        context.Response.ContentType = "application/json; charset=utf-8";
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return Task.CompletedTask;
        }
        var body = JsonSerializer.SerializeToUtf8Bytes(new ErrorAnswer(false, message, message, field), PushJson.Default.ErrorAnswer);
        return context.Response.Body.WriteAsync(body).AsTask();
    }

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);

    /// <summary>Reads up to <paramref name="limit"/> bytes of the body as text; the rest is drained and dropped.</summary>
    private static async Task<string?> ReadBodyAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        if (!HasBody(request) || limit == 0)
        {
            return null;
        }
        var buffer = new byte[Math.Min(limit, (int)Math.Min(request.ContentLength ?? limit, limit))];
        var read = 0;
        var cut = false;
        try
        {
            while (read < buffer.Length)
            {
                var n = await request.Body.ReadAsync(buffer.AsMemory(read), ct);
                if (n == 0)
                {
                    break;
                }
                read += n;
            }
            // Drain what is over the limit so the connection can be reused.
            var sink = new byte[4096];
            int extra;
            while ((extra = await request.Body.ReadAsync(sink, ct)) > 0)
            {
                cut = true;
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or Microsoft.AspNetCore.Http.BadHttpRequestException)
        {
            // A client that goes away mid-body still gets its signal recorded with what arrived.
        }
        if (read == 0)
        {
            return null;
        }
        return Encoding.UTF8.GetString(buffer, 0, cut ? CompleteUtf8Length(buffer.AsSpan(0, read)) : read);
    }

    /// <summary>The length of <paramref name="bytes"/> without a UTF-8 sequence that the cut left incomplete.</summary>
    private static int CompleteUtf8Length(ReadOnlySpan<byte> bytes)
    {
        // Find the start of the last sequence (at most 3 continuation bytes back) and check it is whole.
        for (var back = 1; back <= Math.Min(4, bytes.Length); back++)
        {
            var b = bytes[^back];
            if ((b & 0xC0) == 0x80)
            {
                continue;
            }
            var needed = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return needed > back ? bytes.Length - back : bytes.Length;
        }
        return bytes.Length;
    }

    private static async Task<(Dictionary<string, string?> Fields, string? Error)> ReadPushFieldsAsync(HttpRequest request, CancellationToken ct)
    {
        var fields = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (request.HasFormContentType)
        {
            IFormCollection form;
            try
            {
                form = await request.ReadFormAsync(ct);
            }
            catch (Exception ex) when (ex is InvalidDataException or InvalidOperationException or IOException or Microsoft.AspNetCore.Http.BadHttpRequestException)
            {
                return (fields, $"the form could not be read ({ex.Message})");
            }
            foreach (var name in (string[])["status", "msg", "value", "ping"])
            {
                if (form.TryGetValue(name, out var v))
                {
                    fields[name] = v.ToString();
                }
            }
            return (fields, null);
        }
        var text = await ReadBodyAsync(request, 64 * 1024, ct);
        if (string.IsNullOrWhiteSpace(text))
        {
            return (fields, null);
        }
        var looksJson = request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true || text.TrimStart().StartsWith('{');
        if (!looksJson)
        {
            // Any other body (plain text from a script) is not a field carrier: ignore it.
            return (fields, null);
        }
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (fields, "a JSON body must be an object");
            }
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                fields[property.Name] = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString(),
                    JsonValueKind.Number => property.Value.GetRawText(),
                    JsonValueKind.True => "up",
                    JsonValueKind.False => "down",
                    JsonValueKind.Null => null,
                    _ => property.Value.GetRawText(),
                };
            }
            return (fields, null);
        }
        catch (JsonException ex)
        {
            return (fields, $"not valid JSON ({ex.Message})");
        }
    }

    private static string? Source(HttpContext context) => context.Connection.RemoteIpAddress?.ToString();
}

/// <summary>The instance ping key of slug URLs, compared in constant time.</summary>
public sealed class PingKey
{
    private byte[] _key = [];

    public string Value { get; private set; } = "";

    public void Set(string value)
    {
        Value = value;
        _key = Encoding.UTF8.GetBytes(value);
    }

    public bool Matches(string presented) =>
        _key.Length > 0 && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _key);
}

internal sealed record OkAnswer(bool Ok, string Message);

internal sealed record ErrorAnswer(bool Ok, string Msg, string Error, string? Field);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[System.Text.Json.Serialization.JsonSerializable(typeof(OkAnswer))]
[System.Text.Json.Serialization.JsonSerializable(typeof(ErrorAnswer))]
internal sealed partial class PushJson : System.Text.Json.Serialization.JsonSerializerContext;
