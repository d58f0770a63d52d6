using System.Security.Cryptography;

namespace TamTam.Bench.Workloads.W5;

/// <summary>
/// A write-only sink that keeps nothing but the SHA-256 and the count of what was written to it: the tests' check,
/// apart from the client's own, of what a receiver got.
/// </summary>
internal sealed class DigestSink : CountingSink
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public byte[] Sha256() => _hash.GetCurrentHash();

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _hash.AppendData(buffer);
        base.Write(buffer);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }
}
