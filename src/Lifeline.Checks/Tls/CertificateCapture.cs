using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Lifeline.Checks.Tls;

/// <summary>
/// Records, from inside the TLS validation callback, every certificate the server presented
/// (leaf and the extra certificates it sent) and every certificate the chain was built with,
/// plus the validation errors, without deciding anything itself.
/// </summary>
internal sealed class CertificateCapture
{
    private readonly List<CertificateInfo> _certificates = [];

    public IReadOnlyList<CertificateInfo> Certificates => _certificates;

    public SslPolicyErrors? PolicyErrors { get; private set; }

    public void Record(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        PolicyErrors = errors;
        _certificates.Clear();
        if (certificate is not null)
        {
            Add(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
        }
        if (chain is null)
        {
            return;
        }
        foreach (var presented in chain.ChainPolicy.ExtraStore)
        {
            Add(presented);
        }
        foreach (var element in chain.ChainElements)
        {
            Add(element.Certificate);
        }
    }

    private void Add(X509Certificate2 certificate)
    {
        if (_certificates.Any(c => c.Thumbprint == certificate.Thumbprint))
        {
            return;
        }
        _certificates.Add(new CertificateInfo(
            certificate.Subject,
            certificate.Issuer,
            new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero),
            new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero),
            certificate.Thumbprint));
    }
}
