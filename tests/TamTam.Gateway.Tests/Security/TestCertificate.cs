using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace TamTam.Gateway.Tests.Security;

/// <summary>
/// A self-signed server certificate made at test time (never a committed key): ECDSA P-256, for
/// <c>localhost</c>, 127.0.0.1 and ::1, valid from a day ago for a day.
/// </summary>
internal sealed class TestCertificate : IDisposable
{
    private TestCertificate(X509Certificate2 certificate)
    {
        Certificate = certificate;
    }

    /// <summary>The certificate with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The certificate alone, as a client trusts it.</summary>
    public X509Certificate2 Public => X509CertificateLoader.LoadCertificate(Certificate.RawData);

    public static TestCertificate Create(string subject = "CN=localhost")
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        DateTimeOffset now = DateTimeOffset.UtcNow;
        return new TestCertificate(request.CreateSelfSigned(now.AddDays(-1), now.AddDays(1)));
    }

    /// <summary>Writes the certificate and its key as a PKCS#12 file protected by <paramref name="password"/>.</summary>
    public void WritePfx(string path, string password) =>
        File.WriteAllBytes(path, Certificate.Export(X509ContentType.Pkcs12, password));

    /// <summary>Writes the certificate and its (unencrypted) key as two PEM files.</summary>
    public void WritePem(string certificatePath, string keyPath)
    {
        File.WriteAllText(certificatePath, Certificate.ExportCertificatePem());
        using ECDsa key = Certificate.GetECDsaPrivateKey()!;
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
    }

    public void Dispose() => Certificate.Dispose();
}
