using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace TamTam.Client.Internal.Transports;

/// <summary>
/// How a TLS transport (<c>tamtams://</c>, <c>wss://</c>) judges the server's certificate: the application's
/// callback, else its own trusted certificates, else the system's trust (<see langword="null"/>: the platform's
/// default check).
/// </summary>
internal static class ServerCertificateTrust
{
    public static RemoteCertificateValidationCallback? For(TamTamClientOptions options)
    {
        if (options.ServerCertificateValidation is { } callback)
        {
            return callback;
        }

        if (options.TrustedServerCertificates is { Count: > 0 } trusted)
        {
            // A copy: the options are the application's, and may change after the connection is made.
            var roots = new X509Certificate2Collection(trusted);
            return (_, certificate, chain, errors) => ChainsTo(roots, certificate, chain, errors);
        }

        return null;
    }

    private static bool ChainsTo(X509Certificate2Collection roots, X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        // The name and presence checks stand; only the chain is judged again, against the given roots alone.
        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            // The intermediates the server sent.
            foreach (X509ChainElement element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return certificate is X509Certificate2 leaf
            ? chain.Build(leaf)
            : BuildFromRaw(chain, certificate);
    }

    private static bool BuildFromRaw(X509Chain chain, X509Certificate certificate)
    {
        using X509Certificate2 leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(leaf);
    }
}
