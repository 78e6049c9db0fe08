using System.Globalization;
using System.Text;
using Lifeline.Client.Push;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lifeline.Client.Hosting;

/// <summary>
/// Turns each <see cref="HealthReport"/> the host publishes into a push signal:
/// Healthy is up, Degraded is up with the degraded entries as the message, Unhealthy is down
/// with the failing entries as the message. The report's total duration goes along as the ping
/// (in milliseconds) on <c>/api/push</c> URLs. A failed send is logged, never thrown.
/// </summary>
public sealed class LifelineHealthCheckPublisher : IHealthCheckPublisher
{
    /// <summary>Longest message sent; the server stores up to 1,000 characters.</summary>
    public const int MaxMessageLength = 1000;

    private readonly Uri _pushUrl;
    private readonly IPushSender _sender;
    private readonly TimeSpan _retryFor;
    private readonly ILogger _logger;
    private string? _failure;

    /// <param name="pushUrl">The monitor's <c>/api/push/...</c> or <c>/ping/...</c> URL.</param>
    /// <param name="sender">Sends with retries.</param>
    /// <param name="retryFor">How long one report is retried; keep it below the publishing period. Default 10 seconds.</param>
    /// <param name="logger">Where failed sends are logged.</param>
    public LifelineHealthCheckPublisher(Uri pushUrl, IPushSender sender, TimeSpan? retryFor = null, ILogger<LifelineHealthCheckPublisher>? logger = null)
    {
        _pushUrl = pushUrl ?? throw new ArgumentNullException(nameof(pushUrl));
        _sender = sender ?? throw new ArgumentNullException(nameof(sender));
        _retryFor = retryFor ?? TimeSpan.FromSeconds(10);
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <inheritdoc />
    public async Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var result = await _sender.SendAsync(PushRequests.Signal(_pushUrl, ToSignal(report)), _retryFor, cancellationToken);
        if (result.Acknowledged)
        {
            if (_failure is not null)
            {
                _logger.LogInformation("Health report delivered to Lifeline again.");
            }
            _failure = null;
        }
        else if (_failure != result.Message)
        {
            _failure = result.Message;
            _logger.LogWarning("Health report not delivered to Lifeline ({Outcome}): {Message}", result.Outcome, result.Message);
        }
    }

    /// <summary>The signal for one report.</summary>
    public static PushSignal ToSignal(HealthReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var ping = Math.Round(report.TotalDuration.TotalMilliseconds, 1);
        return report.Status switch
        {
            HealthStatus.Healthy => new PushSignal(true, "Healthy", PingMs: ping),
            HealthStatus.Degraded => new PushSignal(true, Describe("Degraded", report, HealthStatus.Degraded), PingMs: ping),
            _ => new PushSignal(false, Describe("Unhealthy", report, HealthStatus.Unhealthy, HealthStatus.Degraded), PingMs: ping),
        };
    }

    private static string Describe(string headline, HealthReport report, params HealthStatus[] shown)
    {
        var text = new StringBuilder(headline);
        var separator = ": ";
        foreach (var status in shown)
        {
            foreach (var (name, entry) in report.Entries.Where(e => e.Value.Status == status).OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                text.Append(separator).Append(name);
                if (status != report.Status)
                {
                    text.Append(" (").Append(status.ToString().ToLowerInvariant()).Append(')');
                }
                var detail = entry.Description ?? entry.Exception?.Message;
                if (!string.IsNullOrWhiteSpace(detail))
                {
                    text.Append(CultureInfo.InvariantCulture, $" - {detail.ReplaceLineEndings(" ")}");
                }
                separator = "; ";
            }
        }
        return text.Length <= MaxMessageLength ? text.ToString() : text.ToString(0, MaxMessageLength - 3) + "...";
    }
}
