using System.Security.Cryptography.X509Certificates;

namespace TamTam.Silo.Internal;

/// <summary>The host's TLS certificate, owned (and disposed) by its service provider; no certificate: no TLS.</summary>
internal sealed class SiloTls(ServerCertificate? certificate) : IDisposable
{
    public X509Certificate2? Certificate => certificate?.Certificate;

    public void Dispose() => certificate?.Dispose();
}
