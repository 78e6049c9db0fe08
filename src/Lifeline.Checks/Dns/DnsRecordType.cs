namespace Lifeline.Checks.Dns;

/// <summary>
/// The record types a DNS monitor may ask for, by their IANA numbers (RFC 1035 §3.2.2, RFC 3596,
/// RFC 2782, RFC 3403, RFC 4034, RFC 4255, RFC 6698, RFC 7553, RFC 8659).
/// </summary>
public enum DnsRecordType : ushort
{
    A = 1,
    NS = 2,
    CNAME = 5,
    SOA = 6,
    PTR = 12,
    MX = 15,
    TXT = 16,
    AAAA = 28,
    SRV = 33,
    NAPTR = 35,
    DS = 43,
    SSHFP = 44,
    DNSKEY = 48,
    TLSA = 52,
    URI = 256,
    CAA = 257,
}
