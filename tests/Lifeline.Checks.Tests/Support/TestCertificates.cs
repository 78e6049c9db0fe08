using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Lifeline.Checks.Tests.Support;

/// <summary>Certificates made on the spot with ECDSA keys: a root, intermediates and leaves with any validity.</summary>
internal static class TestCertificates
{
    public static X509Certificate2 Root(string name, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = Request(name, key, isCa: true);
        return request.CreateSelfSigned(notBefore, notAfter);
    }

    /// <summary>
    /// A certificate signed by <paramref name="issuer"/>. It goes through the signature generator
    /// rather than <c>Create(issuer, ...)</c>, which refuses validity beyond the issuer's: a chain
    /// with an expired intermediate needs exactly that.
    /// </summary>
    public static X509Certificate2 Signed(X509Certificate2 issuer, string name, DateTimeOffset notBefore, DateTimeOffset notAfter, bool isCa, string dnsName = "localhost")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = Request(name, key, isCa);
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        if (!isCa)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName(dnsName);
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
        }
        using var issuerKey = issuer.GetECDsaPrivateKey()!;
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        using var signed = request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey), notBefore, notAfter, serial);
        return signed.CopyWithPrivateKey(key);
    }

    private static CertificateRequest Request(string name, ECDsa key, bool isCa)
    {
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(isCa, false, 0, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        if (isCa)
        {
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        }
        else
        {
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        }
        return request;
    }
}
