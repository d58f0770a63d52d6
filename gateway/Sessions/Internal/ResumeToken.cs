using System.Security.Cryptography;

namespace TamTam.Gateway.Sessions.Internal;

/// <summary>
/// The resume token WELCOME carries (docs/protocol.md section 5.2; docs/architecture.md, "Sessions and resume"):
/// 49 bytes, <c>0x01</c> (the format), the session id (16 bytes, RFC 9562 order) and a 32-byte random secret. The
/// session id says where the session's directory entry is (<c>ISessionGrain</c>, reachable from every silo); the
/// entry keeps only the SHA-256 of the secret, and a resume is honoured when the presented secret hashes to it.
/// No key is shared between silos and nothing in the token can be forged into another session's.
/// </summary>
internal readonly record struct ResumeToken(Guid SessionId, byte[] Secret)
{
    public const byte Format = 1;
    public const int SecretLength = 32;
    public const int Length = 1 + 16 + SecretLength;

    /// <summary>A fresh token for <paramref name="sessionId"/> with a new random secret.</summary>
    public static ResumeToken Create(Guid sessionId) => new(sessionId, RandomNumberGenerator.GetBytes(SecretLength));

    /// <summary>False for anything that is not a token of this format (the answer is then 204, like an unknown token).</summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, out ResumeToken token)
    {
        token = default;
        if (bytes.Length != Length || bytes[0] != Format)
        {
            return false;
        }

        token = new ResumeToken(new Guid(bytes.Slice(1, 16), bigEndian: true), bytes[17..].ToArray());
        return true;
    }

    /// <summary>What the session directory keeps: the secret's SHA-256.</summary>
    public byte[] SecretHash() => SHA256.HashData(Secret);

    public byte[] ToBytes()
    {
        byte[] bytes = new byte[Length];
        bytes[0] = Format;
        SessionId.TryWriteBytes(bytes.AsSpan(1, 16), bigEndian: true, out _);
        Secret.CopyTo(bytes.AsSpan(17));
        return bytes;
    }
}
