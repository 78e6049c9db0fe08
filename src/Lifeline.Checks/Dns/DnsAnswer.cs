namespace Lifeline.Checks.Dns;

/// <summary>One answer record: its owner name, type name (A, AAAA, CNAME...), time to live and data as text.</summary>
public sealed record DnsAnswer(string Name, string Type, TimeSpan Ttl, string Data)
{
    public override string ToString() => $"{Name} {Type} {Data}";
}
