namespace TamTam.Protocol.Frames;

/// <summary>
/// The sender's trace context a SEND may carry and its DELIVERs hand on (flag <c>TRACED</c>, docs/protocol.md 5.10): a
/// W3C Trace Context <c>traceparent</c> of version 00, e.g. <c>00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01</c>.
/// </summary>
public readonly record struct TraceContext(Utf8Text TraceParent)
{
    /// <summary>The flag bit of SEND and DELIVER that says the field is present.</summary>
    public const ushort Flag = 0x0020;

    /// <summary>The length of a version-00 <c>traceparent</c>.</summary>
    public const int TraceParentLength = 55;

    /// <summary>The field's size on the wire: a str8 of 55 bytes.</summary>
    public const int Size = 1 + TraceParentLength;

    /// <summary>
    /// True when <paramref name="traceParent"/> is what the field may hold: 55 bytes, <c>00-</c>, 32 lowercase hex digits
    /// (not all zero), <c>-</c>, 16 lowercase hex digits (not all zero), <c>-</c>, 2 lowercase hex digits.
    /// </summary>
    public static bool IsValid(ReadOnlySpan<byte> traceParent)
    {
        if (traceParent.Length != TraceParentLength || traceParent[0] != (byte)'0' || traceParent[1] != (byte)'0'
            || traceParent[2] != (byte)'-' || traceParent[35] != (byte)'-' || traceParent[52] != (byte)'-')
        {
            return false;
        }

        return IsHex(traceParent.Slice(3, 32), out bool traceIdZero) && !traceIdZero
            && IsHex(traceParent.Slice(36, 16), out bool parentIdZero) && !parentIdZero
            && IsHex(traceParent.Slice(53, 2), out _);
    }

    /// <summary>The context as a string, for <c>ActivityContext.TryParse</c> and the like.</summary>
    public override string ToString() => TraceParent.ToString();

    internal static TraceContext Read(ref BodyReader reader)
    {
        Utf8Text value = reader.ReadStr8("traceparent");
        if (!IsValid(value.Utf8.Span))
        {
            throw reader.OutOfRange("traceparent", $"\"{value}\" is not a version-00 W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>, lowercase, ids not zero)");
        }

        return new TraceContext(value);
    }

    internal void Write(ref BodyWriter writer)
    {
        if (!IsValid(TraceParent.Utf8.Span))
        {
            throw new ProtocolException(ErrorCode.OutOfRange, $"traceparent: \"{TraceParent}\" is not a version-00 W3C traceparent");
        }

        writer.WriteStr8(TraceParent, "traceparent");
    }

    private static bool IsHex(ReadOnlySpan<byte> digits, out bool allZero)
    {
        allZero = true;
        foreach (byte digit in digits)
        {
            if (digit is not ((>= (byte)'0' and <= (byte)'9') or (>= (byte)'a' and <= (byte)'f')))
            {
                return false;
            }

            allZero &= digit == (byte)'0';
        }

        return true;
    }
}
