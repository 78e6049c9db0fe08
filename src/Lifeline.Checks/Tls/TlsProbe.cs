using System.Net.Security;
using System.Net.Sockets;
using Lifeline.Checks.Tcp;

namespace Lifeline.Checks.Tls;

/// <summary>
/// Connects and completes a TLS handshake, capturing every certificate the server presents and
/// whether the chain and host name validate. Validation errors are recorded, not fatal: the
/// conditions decide (<c>[CERTIFICATE_EXPIRATION]</c>, <c>[CERTIFICATE_VALID]</c>). Never throws,
/// except when <c>cancellationToken</c> itself is cancelled.
/// </summary>
public sealed class TlsProbe(TlsProbeOptions options, TimeProvider time)
{
    public async Task<Observation> RunAsync(CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var timeout = new CancellationTokenSource(options.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var trace = new ProbeTrace(time);
        var handshaken = false;
        try
        {
            using var socket = await TcpConnector.ConnectAsync(options.Host, options.Port, trace, options.Address, linked.Token);
            await using var tls = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false);
            var started = trace.Now();
            try
            {
                // CA5359: accepting every certificate is the point here. The probe sends nothing over
                // the connection; it only reports what it saw, and the monitor's conditions judge it.
#pragma warning disable CA5359
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = options.ServerName ?? options.Host,
                    RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                    {
                        trace.Certificates.Record(certificate, chain, errors);
                        return true;
                    },
                }, linked.Token);
#pragma warning restore CA5359
            }
            finally
            {
                trace.Phases = trace.Phases with { Tls = trace.Since(started) };
            }
            handshaken = true;
            trace.TlsProtocol = tls.SslProtocol.ToString();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            trace.Error = ProbeErrors.TimedOut(options.Timeout);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            trace.Error = ProbeErrors.Describe(ex);
        }
        // For a TLS monitor "connected" means the handshake finished, not just the TCP connect.
        trace.Connected = handshaken;
        return trace.ToObservation();
    }
}
