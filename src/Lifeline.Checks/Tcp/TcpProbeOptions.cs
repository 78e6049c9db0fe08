namespace Lifeline.Checks.Tcp;

/// <summary>One TCP check: connect, and optionally send a line and read one back.</summary>
public sealed record TcpProbeOptions
{
    public required string Host { get; init; }
    public required int Port { get; init; }

    /// <summary>Connect to this address instead of resolving <see cref="Host"/>; default null (resolve).</summary>
    public System.Net.IPAddress? Address { get; init; }

    /// <summary>A line to send once connected (a newline is added when missing); the reply line becomes <c>[BODY]</c>.</summary>
    public string? Send { get; init; }

    /// <summary>Limit for the whole check; default 10 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Bytes of the reply kept; default 64 KiB.</summary>
    public int ReplyLimit { get; init; } = 64 * 1024;
}
