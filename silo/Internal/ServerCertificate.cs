using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace TamTam.Silo.Internal;

/// <summary>
/// The listeners' TLS certificate (<c>TamTam:Tls</c>), read once at start. A file that cannot be used stops the
/// start with a message naming its key; the password never appears in a message.
/// </summary>
internal sealed class ServerCertificate : IDisposable
{
    private const string CertificateKey = "TamTam:Tls:CertificatePath";
    private const string KeyKey = "TamTam:Tls:KeyPath";
    private const string PasswordKey = "TamTam:Tls:Password";

    private ServerCertificate(X509Certificate2 certificate)
    {
        Certificate = certificate;
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>The configured certificate, or <see langword="null"/> when TLS is off.</summary>
    /// <exception cref="OptionsValidationException">The certificate cannot be read, or has no private key.</exception>
    public static ServerCertificate? Load(SiloOptions.TlsSettings tls)
    {
        if (!tls.Enabled)
        {
            if (!string.IsNullOrWhiteSpace(tls.KeyPath))
            {
                throw Invalid($"{KeyKey} is set but {CertificateKey} is not; TLS needs the certificate.");
            }

            return null;
        }

        string path = Path.GetFullPath(tls.CertificatePath);
        if (!File.Exists(path))
        {
            throw Invalid($"{CertificateKey}: there is no file at {path}.");
        }

        string? keyPath = string.IsNullOrWhiteSpace(tls.KeyPath) ? null : Path.GetFullPath(tls.KeyPath);
        if (keyPath is not null && !File.Exists(keyPath))
        {
            throw Invalid($"{KeyKey}: there is no file at {keyPath}.");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = IsPem(path) ? LoadPem(path, keyPath, tls.Password) : LoadPkcs12(path, tls.Password);
        }
        catch (CryptographicException exception)
        {
            throw Invalid($"{CertificateKey}: {path} cannot be read as PKCS#12 or PEM with its key ({exception.Message}); check {PasswordKey} and {KeyKey}.");
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw Invalid($"{CertificateKey}: the certificate in {path} comes without its private key; give the PEM key in {KeyKey}.");
        }

        return new ServerCertificate(certificate);
    }

    public void Dispose() => Certificate.Dispose();

    private static bool IsPem(string path)
    {
        // PEM is text with "-----BEGIN"; PKCS#12 is DER, whose first byte is 0x30.
        using FileStream file = File.OpenRead(path);
        Span<byte> start = stackalloc byte[1];
        return file.Read(start) == 1 && start[0] != 0x30;
    }

    private static X509Certificate2 LoadPkcs12(string path, string password) =>
        X509CertificateLoader.LoadPkcs12FromFile(path, string.IsNullOrEmpty(password) ? null : password);

    private static X509Certificate2 LoadPem(string path, string? keyPath, string password)
    {
        X509Certificate2 pem = string.IsNullOrEmpty(password)
            ? X509Certificate2.CreateFromPemFile(path, keyPath)
            : X509Certificate2.CreateFromEncryptedPemFile(path, password, keyPath);
        if (!OperatingSystem.IsWindows())
        {
            return pem;
        }

        // A PEM key is ephemeral; Windows' TLS (SChannel) needs a key it can reach, which a PKCS#12 round trip gives.
        using (pem)
        {
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), password: null);
        }
    }

    private static OptionsValidationException Invalid(string failure) =>
        new(SiloOptions.SectionName, typeof(SiloOptions), [failure]);
}
