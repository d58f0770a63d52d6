using System.CommandLine;

namespace TamTam.Cli.Commands;

/// <summary>The <c>&lt;address&gt;</c> argument of <c>send</c> and <c>publish</c>: <c>port</c> or <c>link:port</c>.</summary>
internal static class AddressArgument
{
    public static Argument<Address> Create(string description) => new("address")
    {
        Description = description,
        CustomParser = result =>
        {
            if (Address.TryParse(result.Tokens.Count > 0 ? result.Tokens[0].Value : null, out Address? parsed, out string? error))
            {
                return parsed;
            }

            result.AddError(error!);
            return null;
        },
    };
}
