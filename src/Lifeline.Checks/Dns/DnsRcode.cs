namespace Lifeline.Checks.Dns;

/// <summary>DNS response codes (RFC 1035 §4.1.1, RFC 2136 §2.2) by their usual names.</summary>
public static class DnsRcode
{
    private static readonly string[] Names =
    [
        "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
        "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE",
    ];

    public static string NameOf(int code) => code >= 0 && code < Names.Length ? Names[code] : $"RCODE{code}";

    /// <summary>Whether <paramref name="name"/> is one of the known names (any case).</summary>
    public static bool IsKnown(string name) => Names.Contains(name, StringComparer.OrdinalIgnoreCase);

    public static IReadOnlyList<string> All => Names;
}
