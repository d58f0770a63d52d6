using System.Text;
using TamTam.Protocol.Internal;

namespace TamTam.Protocol;

/// <summary>
/// A UTF-8 string as it travels on the wire. Decoding slices the frame's bytes without allocating;
/// <see cref="ToString"/> turns it into a .NET string when one is needed.
/// </summary>
/// <remarks>
/// A value remembers which checks it has passed (well-formed UTF-8, name, port), so a name validated
/// once — by the decoder, or by <see cref="Name(string)"/> — is not validated again each time it is
/// encoded. Equality compares bytes only.
/// </remarks>
public readonly struct Utf8Text : IEquatable<Utf8Text>
{
    private readonly Checks _checks;

    public Utf8Text(ReadOnlyMemory<byte> utf8)
    {
        Utf8 = utf8;
        _checks = Checks.None;
    }

    private Utf8Text(ReadOnlyMemory<byte> utf8, Checks checks)
    {
        Utf8 = utf8;
        _checks = checks;
    }

    [Flags]
    private enum Checks : byte
    {
        None = 0,
        Utf8 = 1,
        Name = 2,
        Port = 4,
    }

    /// <summary>The UTF-8 bytes, without a length prefix.</summary>
    public ReadOnlyMemory<byte> Utf8 { get; }

    public int ByteLength => Utf8.Length;

    public bool IsEmpty => Utf8.IsEmpty;

    public static Utf8Text Empty => default;

    internal bool IsKnownUtf8 => (_checks & Checks.Utf8) != 0 || Utf8.IsEmpty;

    internal bool IsKnownName => (_checks & Checks.Name) != 0;

    internal bool IsKnownPort => (_checks & Checks.Port) != 0;

    /// <summary>Encodes a .NET string (this allocates; hot paths keep encoded names).</summary>
    public static Utf8Text From(string? value) =>
        string.IsNullOrEmpty(value) ? default : new Utf8Text(Encoding.UTF8.GetBytes(value), Checks.Utf8);

    /// <summary>Encodes and validates a link, node or station name once, for repeated use.</summary>
    /// <exception cref="ProtocolException">113 when <paramref name="value"/> is not a valid name.</exception>
    public static Utf8Text Name(string value)
    {
        Utf8Text text = From(value);
        return NameRules.IsName(text.Utf8.Span)
            ? new Utf8Text(text.Utf8, Checks.Utf8 | Checks.Name | Checks.Port)
            : throw new ProtocolException(ErrorCode.InvalidName, $"\"{value}\" is not a valid name (1-64 bytes; no controls, space, ':' or '/')");
    }

    /// <summary>Encodes and validates a port name once, for repeated use.</summary>
    /// <exception cref="ProtocolException">113 when <paramref name="value"/> is not a valid port name.</exception>
    public static Utf8Text Port(string value)
    {
        Utf8Text text = From(value);
        return NameRules.IsPort(text.Utf8.Span)
            ? new Utf8Text(text.Utf8, Checks.Utf8 | Checks.Port)
            : throw new ProtocolException(ErrorCode.InvalidName, $"\"{value}\" is not a valid port name ('/'-separated names, at most 255 bytes)");
    }

    public static implicit operator Utf8Text(string? value) => From(value);

    internal static Utf8Text CheckedUtf8(ReadOnlyMemory<byte> utf8) => new(utf8, Checks.Utf8);

    internal static Utf8Text CheckedName(ReadOnlyMemory<byte> utf8) => new(utf8, Checks.Utf8 | Checks.Name | Checks.Port);

    internal static Utf8Text CheckedPort(ReadOnlyMemory<byte> utf8) => new(utf8, Checks.Utf8 | Checks.Port);

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
