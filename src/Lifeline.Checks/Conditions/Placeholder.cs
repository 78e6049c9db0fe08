namespace Lifeline.Checks.Conditions;

/// <summary>What a placeholder such as <c>[STATUS]</c> reads from an <see cref="Observation"/>.</summary>
public enum PlaceholderKind
{
    Status,
    Body,
    Header,
    ResponseTime,
    DnsTime,
    ConnectTime,
    TlsTime,
    FirstByteTime,
    TransferTime,
    Connected,
    Ip,
    DnsRcode,
    CertificateExpiration,
    CertificateValid,
    Health,
    /// <summary>Time until the target's domain expires, from its registry over RDAP.</summary>
    DomainExpiration,
}

/// <summary>The static type of a value, used to reject nonsense at save time.</summary>
internal enum ValueType
{
    /// <summary>A plain number, e.g. <c>[STATUS]</c>.</summary>
    Number,
    /// <summary>Milliseconds; compares with numbers and durations.</summary>
    Millis,
    /// <summary>A signed time span; compares with durations and with numbers taken as milliseconds.</summary>
    Duration,
    Bool,
    /// <summary>Text, possibly holding a number.</summary>
    Text,
    /// <summary>A JSON value: number, text, boolean or raw JSON.</summary>
    Any,
    Rcode,
    Health,
}

/// <summary>Names and static facts of the placeholders.</summary>
public static class Placeholders
{
    private static readonly Dictionary<string, PlaceholderKind> ByName = new(StringComparer.Ordinal)
    {
        ["STATUS"] = PlaceholderKind.Status,
        ["BODY"] = PlaceholderKind.Body,
        ["HEADER"] = PlaceholderKind.Header,
        ["RESPONSE_TIME"] = PlaceholderKind.ResponseTime,
        ["DNS_TIME"] = PlaceholderKind.DnsTime,
        ["CONNECT_TIME"] = PlaceholderKind.ConnectTime,
        ["TLS_TIME"] = PlaceholderKind.TlsTime,
        ["FIRST_BYTE_TIME"] = PlaceholderKind.FirstByteTime,
        ["TRANSFER_TIME"] = PlaceholderKind.TransferTime,
        ["CONNECTED"] = PlaceholderKind.Connected,
        ["IP"] = PlaceholderKind.Ip,
        ["DNS_RCODE"] = PlaceholderKind.DnsRcode,
        ["CERTIFICATE_EXPIRATION"] = PlaceholderKind.CertificateExpiration,
        ["CERTIFICATE_VALID"] = PlaceholderKind.CertificateValid,
        ["HEALTH"] = PlaceholderKind.Health,
        ["DOMAIN_EXPIRATION"] = PlaceholderKind.DomainExpiration,
    };

    private static readonly PlaceholderKind[] Timing =
    [
        PlaceholderKind.ResponseTime, PlaceholderKind.DnsTime, PlaceholderKind.ConnectTime,
    ];

    private static readonly PlaceholderKind[] Tls =
    [
        PlaceholderKind.TlsTime, PlaceholderKind.CertificateExpiration, PlaceholderKind.CertificateValid,
    ];

    private static readonly Dictionary<MonitorKind, HashSet<PlaceholderKind>> ByMonitorKind = new()
    {
        [MonitorKind.Http] = [.. Enum.GetValues<PlaceholderKind>().Where(p => p != PlaceholderKind.DnsRcode)],
        [MonitorKind.Tcp] = [.. Timing, PlaceholderKind.Connected, PlaceholderKind.Ip, PlaceholderKind.Body,
            PlaceholderKind.FirstByteTime, PlaceholderKind.DomainExpiration],
        [MonitorKind.Tls] = [.. Timing, .. Tls, PlaceholderKind.Connected, PlaceholderKind.Ip, PlaceholderKind.DomainExpiration],
        [MonitorKind.Dns] = [PlaceholderKind.ResponseTime, PlaceholderKind.DnsTime, PlaceholderKind.DnsRcode,
            PlaceholderKind.Ip, PlaceholderKind.Body, PlaceholderKind.DomainExpiration],
    };

    internal static bool TryParse(string name, out PlaceholderKind kind) => ByName.TryGetValue(name, out kind);

    /// <summary>The name as written, without brackets: <c>RESPONSE_TIME</c>.</summary>
    public static string NameOf(PlaceholderKind kind) => ByName.First(p => p.Value == kind).Key;

    /// <summary>Whether monitors of <paramref name="monitorKind"/> can fill <paramref name="kind"/>.</summary>
    public static bool IsAvailable(PlaceholderKind kind, MonitorKind monitorKind) =>
        ByMonitorKind.TryGetValue(monitorKind, out var set) && set.Contains(kind);

    internal static ValueType TypeOf(PlaceholderKind kind, bool hasPath) => kind switch
    {
        PlaceholderKind.Status => ValueType.Number,
        PlaceholderKind.Body => hasPath ? ValueType.Any : ValueType.Text,
        PlaceholderKind.Header or PlaceholderKind.Ip => ValueType.Text,
        PlaceholderKind.Connected or PlaceholderKind.CertificateValid => ValueType.Bool,
        PlaceholderKind.DnsRcode => ValueType.Rcode,
        PlaceholderKind.Health => ValueType.Health,
        PlaceholderKind.CertificateExpiration or PlaceholderKind.DomainExpiration => ValueType.Duration,
        _ => ValueType.Millis,
    };
}
