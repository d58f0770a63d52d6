using TamTam.Protocol;

namespace TamTam.Gateway.Sessions.Internal;

/// <summary>
/// The string of the UTF-8 name a session's frames carried last. A producer addresses few ports, mostly one
/// after another, so a SEND's port is decoded once per change instead of once per frame. Used by the read
/// loop only.
/// </summary>
internal sealed class LastDecoded
{
    private byte[] _utf8 = [];
    private string _text = string.Empty;

    public string Decode(Utf8Text name)
    {
        ReadOnlySpan<byte> utf8 = name.Utf8.Span;
        if (!utf8.SequenceEqual(_utf8))
        {
            _text = name.ToString();
            _utf8 = utf8.ToArray();
        }

        return _text;
    }
}
