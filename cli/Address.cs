using System.CommandLine;
namespace TamTam.Cli;

/// <summary>
/// A destination in text form (docs/protocol.md section 2.1): <c>port</c> within the own link, or
/// <c>link:port</c>. Names never contain <c>:</c>, so the first colon is the only one.
/// </summary>
internal sealed record Address(string? Link, string Port)
{
    /// <summary>A command's <c>&lt;address&gt;</c> argument: <c>port</c> or <c>link:port</c>, refused at parse time when malformed.</summary>
    public static Argument<Address> Argument(string description) => new("address")
    {
        Description = description,
        CustomParser = result =>
        {
            if (TryParse(result.Tokens.Count > 0 ? result.Tokens[0].Value : null, out Address? parsed, out string? error))
            {
                return parsed;
            }

            result.AddError(error!);
            return null;
        },
    };

    public static bool TryParse(string? text, out Address? address, out string? error)
    {
        address = null;
        error = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "an address is port or link:port";
            return false;
        }

        int colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            address = new Address(null, text);
            return true;
        }

        string link = text[..colon];
        string port = text[(colon + 1)..];
        if (link.Length == 0 || port.Length == 0 || port.Contains(':', StringComparison.Ordinal))
        {
            error = $"\"{text}\" is not an address: expected port or link:port";
            return false;
        }

        address = new Address(link, port);
        return true;
    }

    public override string ToString() => Link is null ? Port : $"{Link}:{Port}";
}
