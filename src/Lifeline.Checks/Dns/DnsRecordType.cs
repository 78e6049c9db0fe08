namespace Lifeline.Checks.Dns;

/// <summary>The record types the DNS probe asks for and decodes (RFC 1035 §3.2.2, RFC 3596).</summary>
public enum DnsRecordType : ushort
{
    A = 1,
    NS = 2,
    CNAME = 5,
    PTR = 12,
    MX = 15,
    TXT = 16,
    AAAA = 28,
}
