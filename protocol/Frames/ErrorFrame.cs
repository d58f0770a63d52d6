using System.Buffers;

namespace TamTam.Protocol.Frames;

/// <summary>ERROR (both): a numbered error about the request with the same correlation, or the session.</summary>
public readonly record struct ErrorFrame(ErrorCode Code, Utf8Text Message, bool Fatal) : IFrame<ErrorFrame>
{
    public const ushort FatalFlag = 0x0001;

    public static FrameType Type => FrameType.Error;

    public static ushort DefinedFlags => FatalFlag;

    public static bool HasPayload => false;

    public ushort Flags => Fatal ? FatalFlag : (ushort)0;

    public ReadOnlySequence<byte> Payload => default;

    public int FieldsLength => 2 + BodyWriter.SizeOfText(Message);

    /// <summary>The ERROR that answers <paramref name="exception"/>.</summary>
    public static ErrorFrame From(ProtocolException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return new ErrorFrame(exception.Code, exception.Detail, exception.IsFatal);
    }

    public static ErrorFrame Read(ref BodyReader reader, ushort flags) =>
        new((ErrorCode)reader.ReadU16("code"), reader.ReadText("message"), (flags & FatalFlag) != 0);

    public void WriteFields(ref BodyWriter writer)
    {
        writer.WriteU16((ushort)Code);
        writer.WriteText(Message, "message");
    }
}
