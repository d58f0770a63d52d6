using System.Text;

namespace TamTam.Protocol;

/// <summary>
/// A UTF-8 string as it travels on the wire. Decoding slices the frame's bytes without allocating;
/// <see cref="ToString"/> turns it into a .NET string when one is needed.
/// </summary>
public readonly struct Utf8Text : IEquatable<Utf8Text>
{
    public Utf8Text(ReadOnlyMemory<byte> utf8) => Utf8 = utf8;

    /// <summary>The UTF-8 bytes, without a length prefix.</summary>
    public ReadOnlyMemory<byte> Utf8 { get; }

    public int ByteLength => Utf8.Length;

    public bool IsEmpty => Utf8.IsEmpty;

    public static Utf8Text Empty => default;

    /// <summary>Encodes a .NET string (this allocates; hot paths keep encoded names).</summary>
    public static Utf8Text From(string? value) =>
        string.IsNullOrEmpty(value) ? default : new Utf8Text(Encoding.UTF8.GetBytes(value));

    public static implicit operator Utf8Text(string? value) => From(value);

    public override string ToString() => Utf8.IsEmpty ? string.Empty : Encoding.UTF8.GetString(Utf8.Span);

    public bool Equals(Utf8Text other) => Utf8.Span.SequenceEqual(other.Utf8.Span);

    public override bool Equals(object? obj) => obj is Utf8Text other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Utf8.Span);
        return hash.ToHashCode();
    }

    public static bool operator ==(Utf8Text left, Utf8Text right) => left.Equals(right);

    public static bool operator !=(Utf8Text left, Utf8Text right) => !left.Equals(right);
}
