namespace Lifeline.Checks.Dns;

/// <summary>One answer record: its owner name, type name (A, AAAA, CNAME...), time to live and data as text.</summary>
public sealed record DnsAnswer(string Name, string Type, TimeSpan Ttl, string Data)
{
    /// <summary>
    /// The bare answer, as Gatus' <c>[BODY]</c> of a DNS check holds it: the address of an A or AAAA
    /// record, the target name of CNAME, NS, PTR and MX, <c>target:port</c> of SRV, the text of TXT;
    /// other types as <see cref="Data"/>.
    /// </summary>
    public string Value { get; init; } = Data;

    public override string ToString() => $"{Name} {Type} {Data}";
}
