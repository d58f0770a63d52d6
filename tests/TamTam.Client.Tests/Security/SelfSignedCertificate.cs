using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace TamTam.Client.Tests.Security;

/// <summary>A server certificate generated at test time (ECDSA P-256, self-signed, valid from a day ago for a day).</summary>
internal static class SelfSignedCertificate
{
    /// <summary>For <c>localhost</c> and 127.0.0.1 by default; other names make a certificate a loopback client must refuse.</summary>
    public static X509Certificate2 Create(string dnsName = "localhost", bool loopbackAddress = true)
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={dnsName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, 0, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(dnsName);
        if (loopbackAddress)
        {
            names.AddIpAddress(IPAddress.Loopback);
        }

        request.CertificateExtensions.Add(names.Build());
        DateTimeOffset now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
    }

    /// <summary>The certificate without its key, as a client is given it to trust.</summary>
    public static X509Certificate2 PublicPart(this X509Certificate2 certificate) => X509CertificateLoader.LoadCertificate(certificate.RawData);
}
