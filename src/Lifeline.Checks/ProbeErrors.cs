using System.Net.Sockets;
using System.Security.Authentication;
using Lifeline.Checks.Conditions;

namespace Lifeline.Checks;

/// <summary>Turns what went wrong in a probe into a short sentence for the event log and alerts.</summary>
internal static class ProbeErrors
{
    public static string Describe(Exception exception) => exception switch
    {
        SocketException socket => Describe(socket.SocketErrorCode, socket.Message),
        AuthenticationException auth => "TLS handshake failed: " + Innermost(auth).Message,
        HttpRequestException { InnerException: { } inner } => Describe(inner),
        IOException { InnerException: SocketException socket } => Describe(socket),
        _ => exception.Message,
    };

    public static string TimedOut(TimeSpan timeout) => $"timed out after {DurationText.Format(timeout)}";

    private static string Describe(SocketError code, string message) => code switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.HostNotFound or SocketError.NoData => "host not found",
        SocketError.TimedOut => "connection timed out",
        SocketError.NetworkUnreachable or SocketError.HostUnreachable => "host unreachable",
        SocketError.ConnectionReset => "connection reset by peer",
        _ => message,
    };

    private static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is { } inner)
        {
            exception = inner;
        }
        return exception;
    }
}
