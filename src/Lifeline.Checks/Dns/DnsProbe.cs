using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Lifeline.Checks.Dns;

/// <summary>
/// Resolves a name with its own small UDP client (System.Net.Dns hides response codes), and
/// records every answer, the response code and the lookup time. No TCP fallback: a truncated
/// answer keeps what fit. Never throws, except when <c>cancellationToken</c> itself is cancelled.
/// </summary>
public sealed class DnsProbe(DnsProbeOptions options, TimeProvider time)
{
    public async Task<Observation> RunAsync(CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var timeout = new CancellationTokenSource(options.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var trace = new ProbeTrace(time);
        var started = trace.Now();
        var responses = new List<DnsResponse>();
        try
        {
            var queries = options.Types.Select(type => QueryAsync(type, linked.Token)).ToList();
            responses.AddRange(await Task.WhenAll(queries));
            trace.Connected = true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            trace.Error = $"no answer from {options.Nameserver} within {Conditions.DurationText.Format(options.Timeout)}";
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            trace.Error = ProbeErrors.Describe(ex);
        }
        trace.Phases = trace.Phases with { Dns = trace.Since(started) };
        var answers = responses.SelectMany(r => r.Answers).ToList();
        foreach (var answer in answers.Where(a => a.Type is "A" or "AAAA"))
        {
            trace.Addresses.Add(IPAddress.Parse(answer.Data));
        }
        string? rcode = null;
        if (responses.Count > 0)
        {
            // The worst code wins: NOERROR only when every query got it.
            rcode = DnsRcode.NameOf(responses.Select(r => r.Rcode).FirstOrDefault(c => c != 0));
        }
        return trace.ToObservation(o => o with
        {
            DnsRcode = rcode,
            DnsAnswers = answers,
            Nameserver = options.Nameserver,
            Body = string.Join('\n', answers),
        });
    }

    private async Task<DnsResponse> QueryAsync(DnsRecordType type, CancellationToken ct)
    {
        var id = (ushort)RandomNumberGenerator.GetInt32(ushort.MaxValue + 1);
        var query = DnsMessage.BuildQuery(id, options.Name, type);
        using var udp = new UdpClient(options.Nameserver.AddressFamily);
        // A connected UDP socket only accepts datagrams from the nameserver it asked.
        udp.Connect(options.Nameserver);
        await udp.SendAsync(query, ct);
        var receive = udp.ReceiveAsync(ct).AsTask();
        while (true)
        {
            UdpReceiveResult datagram;
            try
            {
                datagram = await receive.WaitAsync(options.ResendAfter, time, ct);
            }
            catch (TimeoutException)
            {
                await udp.SendAsync(query, ct);
                continue;
            }
            if (DnsMessage.IdOf(datagram.Buffer) == id)
            {
                return DnsMessage.ParseResponse(datagram.Buffer);
            }
            receive = udp.ReceiveAsync(ct).AsTask();
        }
    }
}
