using System.Globalization;
using System.Net;
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
            probe = BuildProbe(monitor, problems, address: null);
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
        if (monitor.AllAddresses && monitor.Kind is MonitorKind.Http or MonitorKind.Tcp or MonitorKind.Tls)
        {
            return await RunEachAddressAsync(monitor, conditions, started, cancellationToken);
        }
        return Judge(monitor, conditions, await WithDomainAsync(monitor, conditions, await probe(cancellationToken), cancellationToken), started);
    }

    /// <summary>The observation with the domain's expiry when a condition asks for <c>[DOMAIN_EXPIRATION]</c>.</summary>
    private async Task<Observation> WithDomainAsync(Monitor monitor, List<Condition> conditions, Observation observation, CancellationToken cancellationToken)
    {
        if (!conditions.Any(c => c.Placeholders.Contains(PlaceholderKind.DomainExpiration)))
        {
            return observation;
        }
        var domain = await _domains.Value.FindAsync(DomainOf(monitor), cancellationToken);
        return observation with { DomainExpiresAt = domain.ExpiresAt, DomainExpiryError = domain.Error };
    }

    private CheckOutcome Judge(Monitor monitor, List<Condition> conditions, Observation observation, long started)
    {
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

    /// <summary>
    /// Resolves the target's host to every address and checks each one on its own, at the same
    /// time and each within the monitor's timeout; Ok only when every address passes.
    /// </summary>
    private async Task<CheckOutcome> RunEachAddressAsync(Monitor monitor, List<Condition> conditions, long started, CancellationToken cancellationToken)
    {
        var host = HostOf(monitor);
        IReadOnlyList<IPAddress> addresses;
        if (IPAddress.TryParse(host, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            using var timeout = new CancellationTokenSource(monitor.Timeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            string? error = null;
            addresses = [];
            try
            {
                addresses = [.. (await _options.Resolve(host, linked.Token)).Distinct()];
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                error = ProbeErrors.TimedOut(monitor.Timeout);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                error = ProbeErrors.Describe(ex);
            }
            if (addresses.Count == 0)
            {
                var nothing = new Observation { Error = $"{host}: {error ?? "host not found"}", ObservedAt = time.GetUtcNow() };
                return Judge(monitor, conditions, nothing, started);
            }
        }
        var each = await Task.WhenAll(addresses.Select(async address =>
        {
            var addressStarted = time.GetTimestamp();
            var observation = await BuildProbe(monitor, [], address)!(cancellationToken);
            return (Address: address, Outcome: Judge(monitor, conditions, await WithDomainAsync(monitor, conditions, observation, cancellationToken), addressStarted));
        }));
        var failing = each.Where(e => !e.Outcome.Ok).ToList();
        var slowest = each.MaxBy(e => e.Outcome.DurationMs);
        var shown = failing.Count > 0 ? failing[0] : slowest;
        var count = each.Length == 1 ? "1 address" : $"{each.Length} addresses";
        return new CheckOutcome
        {
            Ok = failing.Count == 0,
            Message = failing.Count == 0
                ? each.Length == 1
                    ? $"1 address passed: {slowest.Address}: {slowest.Outcome.Message}"
                    : $"all {count} passed; slowest {slowest.Address}: {slowest.Outcome.Message}"
                : $"{failing.Count} of {count} failed: " + string.Join("; ", failing.Select(f => $"{f.Address}: {f.Outcome.Message}")),
            DurationMs = (long)time.GetElapsedTime(started).TotalMilliseconds,
            ConditionResults = [.. conditions.Select((_, i) =>
            {
                var failed = each.FirstOrDefault(e => !e.Outcome.ConditionResults[i].Ok);
                return failed.Outcome is null ? shown.Outcome.ConditionResults[i] : failed.Outcome.ConditionResults[i] with { Text = $"{failed.Address}: {failed.Outcome.ConditionResults[i].Text}" };
            })],
            // Certificates from every address, so the earliest expiry anywhere is the one reported.
            Observation = shown.Outcome.Observation! with { Certificates = [.. each.SelectMany(e => e.Outcome.Observation!.Certificates)] },
            At = time.GetUtcNow(),
        };
    }

    private static string HostOf(Monitor monitor)
    {
        var target = monitor.Target!.Trim();
        if (monitor.Kind == MonitorKind.Http)
        {
            Targets.ReadUrl(target, out var url);
            return url!.IdnHost.Trim('[', ']');
        }
        Targets.ReadHostPort(target, monitor.Kind == MonitorKind.Tls ? 443 : null, out var host, out _);
        return host;
    }

    private Func<CancellationToken, Task<Observation>>? BuildProbe(Monitor monitor, List<string> problems, IPAddress? address)
    {
        var target = monitor.Target!.Trim();
        switch (monitor.Kind)
        {
            case MonitorKind.Http:
                Targets.ReadUrl(target, out var url);
                var http = new HttpProbe(new HttpProbeOptions
                {
                    Url = url!,
                    Address = address,
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
                    Address = address,
                    Send = string.IsNullOrEmpty(monitor.Body) ? null : monitor.Body,
                    Timeout = monitor.Timeout,
                    ReplyLimit = _options.BodyLimit,
                }, time);
                return tcp.RunAsync;
            case MonitorKind.Tls:
                Targets.ReadHostPort(target, 443, out var tlsHost, out var tlsPort);
                return new TlsProbe(new TlsProbeOptions { Host = tlsHost, Port = tlsPort, Address = address, Timeout = monitor.Timeout }, time).RunAsync;
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
    private static string DomainOf(Monitor monitor)
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
