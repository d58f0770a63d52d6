using System.Text;
using TamTam.Protocol;

namespace TamTam.Client.Internal;

/// <summary>Error codes as docs/protocol.md writes them (<c>302 QUOTA_EXCEEDED</c>), for messages and logs.</summary>
internal static class ErrorCodeNames
{
    public static string WireName(ErrorCode code)
    {
        if (code == ErrorCode.None || !Enum.IsDefined(code))
        {
            return code == ErrorCode.None ? "NONE" : "UNKNOWN";
        }

        string name = code.ToString();
        var builder = new StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c) && i > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToUpperInvariant(c));
        }

        return builder.ToString();
    }

    public static string Describe(ErrorCode code, string? detail) =>
        code == ErrorCode.None
            ? detail ?? string.Empty
            : $"{(ushort)code} {WireName(code)}: {detail}";
}
