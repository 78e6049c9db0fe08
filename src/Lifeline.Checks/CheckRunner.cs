using System.Globalization;
using Lifeline.Checks.Conditions;
using Lifeline.Checks.Dns;
using Lifeline.Checks.Http;
using Lifeline.Checks.Rdap;
using Lifeline.Checks.Tcp;
using Lifeline.Checks.Tls;

namespace Lifeline.Checks;

/// <summary>
/// Runs one check of an active monitor (http, tcp, dns, tls): picks the probe, runs it within the
/// monitor's timeout, and judges what it saw with the monitor's conditions (or its kind's
/// defaults). Never throws for a failing target; an invalid definition gives a failed outcome.
/// Cancelling <c>cancellationToken</c> (server shutdown) throws <see cref="OperationCanceledException"/>
/// rather than reporting a failure that did not happen.
/// </summary>
public sealed class CheckRunner(TimeProvider time, CheckRunnerOptions? options = null, DomainExpiryLookup? domains = null)
{
    private readonly CheckRunnerOptions _options = options ?? new CheckRunnerOptions();
    private readonly Lazy<DomainExpiryLookup> _domains = new(() => domains ?? new DomainExpiryLookup(new RdapOptions(), time));

    public async Task<CheckOutcome> RunAsync(Monitor monitor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        var started = time.GetTimestamp();
        // Validate covers the conditions too; parsing them again here only yields the parsed list.
        var problems = CheckDefinition.Validate(monitor).ToList();
        CheckDefinition.ParseConditions(monitor.Kind, monitor.Conditions, out var conditions);
        if (monitor.Kind == MonitorKind.Push)
        {
            problems.Add("kind: push monitors are not checked actively");
        }
        Func<CancellationToken, Task<Observation>>? probe = null;
        if (problems.Count == 0)
        {
            probe = BuildProbe(monitor, problems);
        }
        if (probe is null)
        {
            return new CheckOutcome
            {
                Ok = false,
                Message = "invalid monitor: " + string.Join("; ", problems),
                DurationMs = 0,
                ConditionResults = [],
                At = time.GetUtcNow(),
            };
        }
        var observation = await probe(cancellationToken);
        if (conditions.Any(c => c.Placeholders.Contains(PlaceholderKind.DomainExpiration)))
        {
            var domain = await _domains.Value.FindAsync(HostOf(monitor), cancellationToken);
            observation = observation with { DomainExpiresAt = domain.ExpiresAt, DomainExpiryError = domain.Error };
        }
        var results = ConditionEvaluator.EvaluateAll(conditions, observation);
        var failed = results.Where(r => !r.Ok).Select(r => r.Text).ToList();
        var ok = failed.Count == 0 && observation.Error is null;
        if (observation.Error is { } error)
        {
            failed.Add(error);
        }
        if (!ok && observation.DomainExpiryError is { } domainError)
        {
            failed.Add(domainError);
        }
        return new CheckOutcome
        {
            Ok = ok,
            Message = ok ? Summary(monitor.Kind, observation) : string.Join("; ", failed),
            DurationMs = (long)time.GetElapsedTime(started).TotalMilliseconds,
            ConditionResults = results,
            Observation = observation,
            At = time.GetUtcNow(),
        };
    }

    private Func<CancellationToken, Task<Observation>>? BuildProbe(Monitor monitor, List<string> problems)
    {
        var target = monitor.Target!.Trim();
        switch (monitor.Kind)
        {
            case MonitorKind.Http:
                Targets.ReadUrl(target, out var url);
                var http = new HttpProbe(new HttpProbeOptions
                {
                    Url = url!,
                    Method = string.IsNullOrEmpty(monitor.Method) ? "GET" : monitor.Method,
                    Headers = monitor.Headers,
                    Body = monitor.Body,
                    Timeout = monitor.Timeout,
                    MaxRedirects = _options.MaxRedirects,
                    ValidateCertificates = _options.ValidateCertificates,
                    BodyLimit = _options.BodyLimit,
                }, time);
                return http.RunAsync;
            case MonitorKind.Tcp:
                Targets.ReadHostPort(target, null, out var tcpHost, out var tcpPort);
                var tcp = new TcpProbe(new TcpProbeOptions
                {
                    Host = tcpHost,
                    Port = tcpPort,
                    Send = string.IsNullOrEmpty(monitor.Body) ? null : monitor.Body,
                    Timeout = monitor.Timeout,
                    ReplyLimit = _options.BodyLimit,
                }, time);
                return tcp.RunAsync;
            case MonitorKind.Tls:
                Targets.ReadHostPort(target, 443, out var tlsHost, out var tlsPort);
                return new TlsProbe(new TlsProbeOptions { Host = tlsHost, Port = tlsPort, Timeout = monitor.Timeout }, time).RunAsync;
            case MonitorKind.Dns:
                Targets.ReadDns(target, out var name, out var nameserver);
                Targets.ReadDnsTypes(monitor.Method, out var types);
                nameserver ??= _options.Nameserver ?? ResolvConf.FirstNameserver(_options.ResolvConfPath);
                if (nameserver is null)
                {
                    problems.Add($"target: no nameserver given and none found in {_options.ResolvConfPath}");
                    return null;
                }
                return new DnsProbe(new DnsProbeOptions
                {
                    Name = name,
                    Nameserver = nameserver,
                    Types = types,
                    Timeout = monitor.Timeout,
                }, time).RunAsync;
            default:
                return null;
        }
    }

    /// <summary>The host whose domain <c>[DOMAIN_EXPIRATION]</c> asks about: the URL's host, the host of host:port, or the name a DNS check resolves.</summary>
    private static string HostOf(Monitor monitor)
    {
        var target = monitor.Target!.Trim();
        switch (monitor.Kind)
        {
            case MonitorKind.Http:
                Targets.ReadUrl(target, out var url);
                return url!.IdnHost;
            case MonitorKind.Dns:
                Targets.ReadDns(target, out var name, out _);
                return name;
            default:
                Targets.ReadHostPort(target, 443, out var host, out _);
                return host;
        }
    }

    private static string Summary(MonitorKind kind, Observation seen)
    {
        var ms = ((long)seen.ResponseTime.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        return kind switch
        {
            MonitorKind.Http => $"HTTP {seen.StatusCode} in {ms} ms",
            MonitorKind.Tcp => $"connected to {seen.RemoteEndPoint} in {ms} ms",
            MonitorKind.Dns => $"{seen.DnsRcode}, {seen.DnsAnswers.Count} answer{(seen.DnsAnswers.Count == 1 ? "" : "s")} in {ms} ms",
            _ => seen.EarliestCertificateExpiry is { } expiry
                ? $"{seen.TlsProtocol}, certificate expires in {DurationText.Format(expiry - seen.ObservedAt)}"
                : $"{seen.TlsProtocol} in {ms} ms",
        };
    }
}
