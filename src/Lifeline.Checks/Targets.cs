using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Lifeline.Checks.Dns;

namespace Lifeline.Checks;

/// <summary>Reads the <c>target</c> of each active monitor kind; each reader answers an error sentence or null.</summary>
internal static class Targets
{
    public static string? ReadUrl(string target, out Uri? url)
    {
        if (!Uri.TryCreate(target, UriKind.Absolute, out url) || url.Scheme is not ("http" or "https") || url.Host.Length == 0)
        {
            url = null;
            return "must be an absolute http:// or https:// URL";
        }
        return null;
    }

    /// <summary><c>host:port</c>, <c>[v6]:port</c>; without a port <paramref name="defaultPort"/> applies, if any.</summary>
    public static string? ReadHostPort(string target, int? defaultPort, out string host, out int port)
    {
        host = "";
        port = 0;
        string portText;
        if (target.StartsWith('['))
        {
            var close = target.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || !IPAddress.TryParse(target[1..close], out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return "must be host:port, with IPv6 addresses in brackets as in [::1]:443";
            }
            host = target[1..close];
            portText = target[(close + 1)..];
        }
        else
        {
            var colon = target.LastIndexOf(':');
            if (colon >= 0 && target.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                return "must be host:port, with IPv6 addresses in brackets as in [::1]:443";
            }
            host = colon < 0 ? target : target[..colon];
            portText = colon < 0 ? "" : target[colon..];
        }
        if (portText.Length == 0 && defaultPort is { } fallback)
        {
            port = fallback;
        }
        else if (!portText.StartsWith(':') || !int.TryParse(portText.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
        {
            return "must be host:port with a port from 1 to 65535";
        }
        if (!IPAddress.TryParse(host, out _) && !IsHostName(host))
        {
            return $"'{host}' is not a valid host name";
        }
        return null;
    }

    /// <summary><c>name</c> or <c>name@nameserver[:port]</c>, as dig writes it.</summary>
    public static string? ReadDns(string target, out string name, out IPEndPoint? nameserver)
    {
        nameserver = null;
        var at = target.IndexOf('@', StringComparison.Ordinal);
        name = at < 0 ? target : target[..at];
        if (!IsHostName(name))
        {
            return $"'{name}' is not a valid DNS name";
        }
        if (at >= 0)
        {
            var server = target[(at + 1)..];
            if (!IPEndPoint.TryParse(server, out nameserver))
            {
                return "the nameserver after '@' must be an IP address with an optional port, as in @127.0.0.1:5353";
            }
            if (nameserver.Port == 0)
            {
                nameserver.Port = 53;
            }
        }
        return null;
    }

    /// <summary>Letters, digits, '-' and '_' in dot-separated labels of 1–63 characters, 253 in all.</summary>
    public static bool IsHostName(string name)
    {
        var trimmed = name.EndsWith('.') ? name[..^1] : name;
        return trimmed.Length is > 0 and <= 253
            && trimmed.Split('.').All(label => label.Length is > 0 and <= 63
                && label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'));
    }

    /// <summary>Record types for a DNS monitor, written in its <c>method</c> field: <c>A</c>, <c>AAAA</c>, <c>A,AAAA</c>...</summary>
    public static string? ReadDnsTypes(string? method, out IReadOnlyList<DnsRecordType> types)
    {
        if (string.IsNullOrWhiteSpace(method))
        {
            types = [DnsRecordType.A, DnsRecordType.AAAA];
            return null;
        }
        var list = new List<DnsRecordType>();
        foreach (var word in method.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Enum.TryParse<DnsRecordType>(word, ignoreCase: true, out var type) || !Enum.IsDefined(type) || int.TryParse(word, CultureInfo.InvariantCulture, out _))
            {
                types = [];
                return $"unknown DNS record type '{word}' (known: {string.Join(", ", Enum.GetNames<DnsRecordType>())})";
            }
            list.Add(type);
        }
        types = list;
        return null;
    }
}
