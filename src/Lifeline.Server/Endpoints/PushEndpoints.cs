using System.Buffers;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Lifeline.Server.Endpoints;

/// <summary>
/// The push URL families (CONTRACT §2). No auth: the token in the URL is the secret. An answer of
/// 200 means the signal is committed to disk.
/// </summary>
internal static class PushEndpoints
{
    private static readonly string[] KumaMethods = ["GET", "POST", "PUT", "HEAD"];
    private static readonly string[] PingMethods = ["GET", "POST", "PUT", "HEAD"];
    private static readonly SearchValues<char> SlugChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789-_");

    public static IEndpointRouteBuilder MapPush(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/api/push/{token}", KumaMethods, KumaPush);
        app.MapMethods("/ping/{**path}", PingMethods, HealthchecksPing);
        return app;
    }

    // ---- Tianji / Uptime Kuma: /api/push/{token}?status=&msg=&value=&ping=

    private static async Task KumaPush(HttpContext context, string token, Ingestor ingestor, PushGuard guard, TimeProvider clock)
    {
        var client = context.Connection.RemoteIpAddress;
        if (guard.Refuses(client, token, out var retryAfter))
        {
            Retry(context, retryAfter);
            await KumaAnswer(context, 429, false, "too many unknown tokens from this address; retry later", null);
            return;
        }
        var request = context.Request;
        var query = request.Query;
        string? status = query["status"], msg = query["msg"], value = query["value"], ping = query["ping"];
        if (PushBody.IsPresent(request))
        {
            var limit = context.RequestServices.GetRequiredService<IOptions<LifelineOptions>>().Value.PushBodyLimit;
            var body = await PushBody.ReadAsync(context, limit, limit, context.RequestAborted);
            if (body.Outcome != BodyOutcome.Whole)
            {
                CloseAfter(context);
                await (body.Outcome == BodyOutcome.TooLarge
                    ? KumaAnswer(context, 413, false, $"the body is over the limit of {limit} bytes", "body")
                    : KumaAnswer(context, 400, false, "the body was not received whole; nothing was recorded", "body"));
                return;
            }
            var (fields, error) = await PushFields.ParseAsync(request.ContentType, body, context.RequestAborted);
            if (error is not null)
            {
                await KumaAnswer(context, 400, false, $"bad request body: {error}", "body");
                return;
            }
            if (fields is not null)
            {
                status ??= fields.GetValueOrDefault("status");
                msg ??= fields.GetValueOrDefault("msg");
                value ??= fields.GetValueOrDefault("value");
                ping ??= fields.GetValueOrDefault("ping");
            }
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
            guard.Missed(client);
            await KumaAnswer(context, 404, false, "Monitor not found or not active.", null);
            return;
        }
        guard.Succeeded(client, token);
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

    private static async Task HealthchecksPing(HttpContext context, string? path, Ingestor ingestor, PushGuard guard, PingKey pingKey, IChannelStore channels, TimeProvider clock, IOptions<LifelineOptions> options)
    {
        var settings = options.Value;
        var limit = settings.PingBodyLimit;
        context.Response.Headers["Ping-Body-Limit"] = limit.ToString(CultureInfo.InvariantCulture);
        // As Healthchecks answers pings: callable from a browser, never cached.
        context.Response.Headers.AccessControlAllowOrigin = "*";
        context.Response.Headers.CacheControl = "no-cache";
        var client = context.Connection.RemoteIpAddress;
        // Before anything tells a known token or ping key from an unknown one.
        if (guard.Refuses(client, FirstSegment(path), out var retryAfter))
        {
            Retry(context, retryAfter);
            await PlainAnswer(context, 429, "too many requests");
            return;
        }
        var segments = (path ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length is 0 or > 3)
        {
            await PingNotFound(context, guard, client);
            return;
        }
        SignalAddress address;
        string? suffix;
        var create = false;
        if (segments.Length >= 2 && pingKey.Matches(segments[0]))
        {
            create = WantsCreate(context.Request);
            if (create && !IsSlug(segments[1]))
            {
                await PlainAnswer(context, 400, "invalid url format");
                return;
            }
            // Like Healthchecks, a monitor made by its first ping is told to every channel.
            IReadOnlyList<string> everyChannel = create ? [.. (await channels.ListAsync(context.RequestAborted)).Select(c => c.Id)] : [];
            address = new SignalAddress { Slug = segments[1], CreateIfMissing = create ? () => NewSlugMonitor(segments[1], everyChannel, clock) : null };
            suffix = segments.Length == 3 ? segments[2] : null;
        }
        else if (segments.Length <= 2)
        {
            address = SignalAddress.ForToken(segments[0]);
            suffix = segments.Length == 2 ? segments[1] : null;
        }
        else
        {
            await PingNotFound(context, guard, client);
            return;
        }

        Guid? rid = null;
        if (context.Request.Query["rid"] is { Count: > 0 } ridText && !string.IsNullOrEmpty(ridText))
        {
            if (!Guid.TryParse(ridText, out var parsed))
            {
                await PlainAnswer(context, 400, "invalid uuid format");
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
                    await PingNotFound(context, guard, client);
                    return;
                }
                if (!int.TryParse(suffix, NumberStyles.None, CultureInfo.InvariantCulture, out var code) || code > 255)
                {
                    await PlainAnswer(context, 400, "invalid url format");
                    return;
                }
                exit = code;
                ok = code == 0;
                kind = ok ? SignalKind.Success : SignalKind.Fail;
                break;
        }

        string? body = null;
        if (PushBody.IsPresent(context.Request))
        {
            var max = settings.MaxPingRequestBytes;
            var read = await PushBody.ReadAsync(context, limit, max, context.RequestAborted);
            if (read.Outcome != BodyOutcome.Whole)
            {
                CloseAfter(context);
                await (read.Outcome == BodyOutcome.TooLarge
                    ? PlainAnswer(context, 413, $"request body is over the limit of {max} bytes")
                    : PlainAnswer(context, 400, "request body not received whole; nothing was recorded"));
                return;
            }
            body = read.Text();
        }
        var signal = new Signal
        {
            Kind = kind,
            Ok = ok,
            At = clock.GetUtcNow(),
            ExitStatus = exit,
            Body = body,
            Rid = rid,
            Source = Source(context),
            Method = context.Request.Method,
        };
        var result = create
            ? await ingestor.RecordIfFoundAsync(address, signal, CancellationToken.None)
            : await ingestor.RecordAsync(address, signal, CancellationToken.None);
        if (create && result.Outcome == SignalOutcome.NotFound)
        {
            if (await CreateAsync(address, signal, ingestor, guard, context.RequestServices.GetRequiredService<IMonitorStore>(), settings.AutoCreateLimit) is not { } created)
            {
                await PlainAnswer(context, 403, "check limit reached");
                return;
            }
            result = created;
        }
        switch (result.Outcome)
        {
            case SignalOutcome.NotFound:
                await PingNotFound(context, guard, client);
                break;
            case SignalOutcome.Created:
                await PlainAnswer(context, 201, "Created");
                break;
            default:
                guard.Succeeded(client, segments[0]);
                await PlainAnswer(context, 200, "OK");
                break;
        }
    }

    /// <summary>Auto-creation (<c>?create=1</c>): one at a time, and only while fewer than <paramref name="limit"/> monitors exist. Null when at the limit.</summary>
    private static async Task<SignalResult?> CreateAsync(SignalAddress address, Signal signal, Ingestor ingestor, PushGuard guard, IMonitorStore store, int limit)
    {
        await guard.Creating.WaitAsync(CancellationToken.None);
        try
        {
            var monitors = (await store.CountByStatusAsync(CancellationToken.None)).Values.Sum();
            return monitors >= limit ? null : await ingestor.RecordAsync(address, signal, CancellationToken.None);
        }
        finally
        {
            guard.Creating.Release();
        }
    }

    /// <summary>A monitor made by its first slug ping, as Healthchecks makes one: a day's period, an hour's grace, every channel.</summary>
    private static Monitor NewSlugMonitor(string slug, IReadOnlyList<string> channels, TimeProvider clock) => new()
    {
        Id = Secrets.NewId(),
        Name = slug,
        Slug = slug,
        Kind = MonitorKind.Push,
        PushToken = Secrets.NewPushToken(),
        Period = TimeSpan.FromDays(1),
        Grace = TimeSpan.FromHours(1),
        Channels = channels,
        CreatedAt = clock.GetUtcNow(),
    };

    private static bool WantsCreate(HttpRequest request) =>
        request.Query["create"] is { Count: > 0 } create && create.ToString() is "1" or "true" or "yes";

    /// <summary>A slug a monitor may have (CONTRACT §2b): 1-100 of a-z, 0-9, '-' and '_', starting with a letter or digit.</summary>
    private static bool IsSlug(string slug) =>
        slug.Length is > 0 and <= 100
        && (char.IsAsciiLetterLower(slug[0]) || char.IsAsciiDigit(slug[0]))
        && !slug.AsSpan().ContainsAnyExcept(SlugChars);

    /// <summary>The first segment of a /ping path: the push token, or the ping key of a slug URL.</summary>
    private static ReadOnlySpan<char> FirstSegment(string? path)
    {
        var rest = path.AsSpan().TrimStart('/');
        var slash = rest.IndexOf('/');
        return slash < 0 ? rest : rest[..slash];
    }

    private static Task PingNotFound(HttpContext context, PushGuard guard, IPAddress? client)
    {
        guard.Missed(client);
        return PlainAnswer(context, 404, "not found");
    }

    private static void Retry(HttpContext context, TimeSpan after) =>
        context.Response.Headers.RetryAfter = ((long)after.TotalSeconds).ToString(CultureInfo.InvariantCulture);

    /// <summary>After a body that is too large or cut short, the connection is not worth keeping: close it rather than drain it.</summary>
    private static void CloseAfter(HttpContext context) => context.Response.Headers.Connection = "close";

    private static Task PlainAnswer(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.WriteAsync(text);
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
