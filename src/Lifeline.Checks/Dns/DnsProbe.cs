using System.Net;
using DnsClient;
using DnsClient.Protocol;

namespace Lifeline.Checks.Dns;

/// <summary>
/// Resolves a name with the DnsClient library (System.Net.Dns hides response codes): one query per
/// record type, EDNS0 offering 1232-byte UDP answers, the same query over TCP when a UDP answer
/// comes back truncated, no cache. Records every answer, the response code and the lookup time.
/// Never throws, except when <c>cancellationToken</c> itself is cancelled.
/// </summary>
public sealed class DnsProbe(DnsProbeOptions options, TimeProvider time)
{
    // DNS flag day 2020: 1232 bytes fit one unfragmented packet on almost any path.
    private const int UdpPayload = 1232;

    // Shared by every check so that TCP connections are pooled per nameserver and closed after a
    // few idle seconds, not left to the finalizer. Each query names its own nameserver.
    private static readonly LookupClient Client = new(new LookupClientOptions { AutoResolveNameServers = false, UseCache = false });

    public async Task<Observation> RunAsync(CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var timeout = new CancellationTokenSource(options.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var trace = new ProbeTrace(time);
        var started = trace.Now();
        var responses = new List<IDnsQueryResponse>();
        try
        {
            var queries = options.Types.Select(type => QueryAsync(type, linked.Token)).ToList();
            responses.AddRange(await Task.WhenAll(queries));
            trace.Connected = true;
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is not OperationCanceledException)
        {
            // The library reports its token's cancellation as a timeout; the caller asked to stop.
            throw new OperationCanceledException("the DNS check was cancelled", ex, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            trace.Error = timeout.IsCancellationRequested || IsSilence(ex)
                ? $"no answer from {options.Nameserver} within {Conditions.DurationText.Format(options.Timeout)}"
                : Describe(ex);
        }
        trace.Phases = trace.Phases with { Dns = trace.Since(started) };
        var answers = responses.SelectMany(r => r.Answers).Select(ToAnswer).ToList();
        foreach (var answer in answers.Where(a => a.Type is "A" or "AAAA"))
        {
            trace.Addresses.Add(IPAddress.Parse(answer.Data));
        }
        string? rcode = null;
        if (responses.Count > 0)
        {
            // The worst code wins: NOERROR only when every query got it.
            rcode = DnsRcode.NameOf(responses.Select(r => (int)r.Header.ResponseCode).FirstOrDefault(c => c != 0));
        }
        return trace.ToObservation(o => o with
        {
            DnsRcode = rcode,
            DnsAnswers = answers,
            Nameserver = options.Nameserver,
            Body = string.Join('\n', answers.Select(a => a.Value)),
        });
    }

    private Task<IDnsQueryResponse> QueryAsync(DnsRecordType type, CancellationToken ct)
    {
        var query = new DnsQueryAndServerOptions(options.Nameserver)
        {
            UseCache = false,
            Recursion = true,
            ExtendedDnsBufferSize = UdpPayload,
            UseTcpFallback = true,
            // Response codes are results to judge, not errors; one nameserver, so nothing to move on to.
            ThrowDnsErrors = false,
            ContinueOnDnsError = false,
            ContinueOnEmptyResponse = false,
            // Each try waits ResendAfter; tries go on until the check's own Timeout ends them, with
            // one spare so the library does not give up first.
            Timeout = options.ResendAfter,
            Retries = (int)Math.Min(1000, Math.Ceiling(options.Timeout / options.ResendAfter)),
        };
        return Client.QueryAsync(new DnsQuestion(options.Name, (QueryType)type), query, ct);
    }

    /// <summary>The library gave up after its tries went unanswered (rather than after a network error).</summary>
    private static bool IsSilence(Exception ex) =>
        ex is DnsResponseException { Code: DnsResponseCode.ConnectionTimeout, InnerException: null or OperationCanceledException or TimeoutException };

    private string Describe(Exception ex) => ex switch
    {
        DnsResponseParseException => $"malformed answer from {options.Nameserver}",
        DnsResponseException { InnerException: DnsResponseParseException } => $"malformed answer from {options.Nameserver}",
        DnsResponseException { InnerException: { } inner } => ProbeErrors.Describe(inner),
        _ => ProbeErrors.Describe(ex),
    };

    private static DnsAnswer ToAnswer(DnsResourceRecord record)
    {
        var data = DataOf(record);
        return new DnsAnswer(record.DomainName.Value, TypeName(record.RecordType), TimeSpan.FromSeconds(record.InitialTimeToLive), data)
        {
            Value = record switch
            {
                MxRecord mx => mx.Exchange.Value,
                SrvRecord srv => $"{srv.Target.Value}:{srv.Port}",
                _ => data,
            },
        };
    }

    private static string TypeName(ResourceRecordType type) =>
        Enum.IsDefined((DnsRecordType)type) ? ((DnsRecordType)type).ToString()
        : Enum.IsDefined(type) ? type.ToString()
        : $"TYPE{(int)type}";

    private static string DataOf(DnsResourceRecord record) => record switch
    {
        AddressRecord address => address.Address.ToString(),
        // The text itself, its strings joined, so conditions can match it as written in the zone.
        TxtRecord txt => string.Concat(txt.Text),
        // The library writes a record as "<owner> <ttl> <class> <type> <data>", the data as a zone file has it.
        _ => record.ToString().Split(' ', 5)[^1],
    };
}
