namespace Lifeline.Checks.Tls;

/// <summary>One certificate a TLS server presented or its chain was built with.</summary>
public sealed record CertificateInfo(string Subject, string Issuer, DateTimeOffset NotBefore, DateTimeOffset NotAfter, string Thumbprint);
