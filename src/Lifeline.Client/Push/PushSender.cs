using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Lifeline.Client.Push;

/// <summary>
/// The one implementation of "send a signal with retries", shared by the <c>lifeline</c> commands,
/// the heartbeat service and the health-check publisher. Network errors, timeouts, 408, 429 and
/// 5xx are retried with capped exponential backoff and jitter (a 429's or 503's
/// <c>Retry-After</c> is honoured); any other 4xx ends at once.
/// </summary>
public sealed class PushSender : IPushSender
{
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly Func<double> _random;

    /// <param name="http">The client to send with; its own <see cref="HttpClient.Timeout"/> should be infinite or longer than <see cref="PushRetryOptions.AttemptTimeout"/>.</param>
    /// <param name="time">The clock for waits and timeouts; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="options">Retry settings; defaults when null.</param>
    /// <param name="random">A source of numbers in [0, 1) for jitter; <see cref="Random.Shared"/> when null.</param>
    public PushSender(HttpClient http, TimeProvider? time = null, PushRetryOptions? options = null, Func<double>? random = null)
    {
        _http = http ?? throw new ArgumentNullException(nameof(http));
        _time = time ?? TimeProvider.System;
        Options = options ?? new PushRetryOptions();
        _random = random ?? Random.Shared.NextDouble;
    }

    /// <summary>The retry settings in use.</summary>
    public PushRetryOptions Options { get; }

    /// <summary>Sends with the default window <see cref="PushRetryOptions.RetryFor"/>.</summary>
    public Task<PushResult> SendAsync(PushRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(request, Options.RetryFor, cancellationToken);

    /// <inheritdoc />
    public async Task<PushResult> SendAsync(PushRequest request, TimeSpan retryFor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = _time.GetTimestamp();
        var backoff = Options.FirstDelay;
        var attempt = 0;
        while (true)
        {
            attempt++;
            var remaining = retryFor - _time.GetElapsedTime(started);
            // Every attempt gets at least a second, so a short window still allows one real try.
            var attemptTimeout = Min(Options.AttemptTimeout, Max(remaining, TimeSpan.FromSeconds(1)));
            var answer = await TryOnceAsync(request, attemptTimeout, cancellationToken);
            if (answer.Final is { } final)
            {
                return final with { Attempts = attempt };
            }

            var wait = answer.RetryAfter ?? Jittered(backoff);
            backoff = Min(backoff * 2, Options.MaxDelay);
            if (_time.GetElapsedTime(started) + wait >= retryFor)
            {
                return new PushResult(PushOutcome.Unreachable, answer.StatusCode, answer.Error, attempt, null);
            }
            await Task.Delay(wait, _time, cancellationToken);
        }
    }

    private readonly record struct Attempt(PushResult? Final, int? StatusCode, string Error, TimeSpan? RetryAfter);

    private async Task<Attempt> TryOnceAsync(PushRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timeoutSource = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        try
        {
            using var message = new HttpRequestMessage(request.Method, request.Url);
            if (request.Body is not null && request.Method != HttpMethod.Get && request.Method != HttpMethod.Head)
            {
                message.Content = new StringContent(request.Body, Encoding.UTF8, "text/plain");
            }
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, linked.Token);
            var code = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync(linked.Token);
            var summary = Summarize(code, text);
            if (response.IsSuccessStatusCode)
            {
                return new Attempt(new PushResult(PushOutcome.Acknowledged, code, summary, 0, BodyLimit(response)), code, summary, null);
            }
            if (code is >= 400 and < 500 && code != 408 && code != 429)
            {
                return new Attempt(new PushResult(PushOutcome.Rejected, code, summary, 0, BodyLimit(response)), code, summary, null);
            }
            return new Attempt(null, code, summary, RetryAfter(response));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new Attempt(null, null, $"no answer within {timeout.TotalSeconds:0.#} s", null);
        }
        catch (HttpRequestException ex)
        {
            return new Attempt(null, null, Describe(ex), null);
        }
    }

    private TimeSpan Jittered(TimeSpan backoff) =>
        // Half fixed, half random: spreads many clients out while keeping the backoff's shape.
        backoff / 2 + backoff / 2 * _random();

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return Min(delta, Options.MaxDelay);
        }
        if (header?.Date is { } date)
        {
            return Min(Max(date - _time.GetUtcNow(), TimeSpan.Zero), Options.MaxDelay);
        }
        return null;
    }

    private static int? BodyLimit(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Ping-Body-Limit", out var values)
        && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var limit)
        && limit >= 0
            ? limit
            : null;

    /// <summary>One line for people: the JSON <c>msg</c> or <c>error</c> field, else the text itself.</summary>
    internal static string Summarize(int code, string body)
    {
        var text = body.Trim();
        if (text.StartsWith('{'))
        {
            try
            {
                using var json = JsonDocument.Parse(text);
                foreach (var field in (string[])["error", "msg", "message"])
                {
                    if (json.RootElement.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String
                        && !string.IsNullOrWhiteSpace(value.GetString()))
                    {
                        text = value.GetString()!;
                        break;
                    }
                }
            }
            catch (JsonException)
            {
                // Not JSON after all: show the text as it came.
            }
        }
        if (text.StartsWith('<'))
        {
            // An HTML error page (a proxy, the wrong server) says nothing useful in one line.
            text = "";
        }
        text = text.ReplaceLineEndings(" ");
        if (text.Length > 300)
        {
            text = text[..300] + "...";
        }
        var reason = ((HttpStatusCode)code).ToString();
        return text.Length == 0 ? $"HTTP {code} {reason}" : $"HTTP {code}: {text}";
    }

    private static string Describe(HttpRequestException ex)
    {
        var inner = ex.InnerException?.Message;
        return string.IsNullOrEmpty(inner) || ex.Message.Contains(inner, StringComparison.Ordinal) ? ex.Message : $"{ex.Message} ({inner})";
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
