namespace TamTam.Cli.Configuration;

/// <summary>
/// One setting of the tool: its key in the config file, its environment variable and its default. A flag of the same
/// name wins over the variable, which wins over the file (<see cref="SettingsResolver"/>).
/// </summary>
internal sealed record Setting(string Key, string Variable, string? Default, string Description)
{
    public static readonly Setting Server = new("server", "TAMTAM_SERVER", "tamtam://127.0.0.1:7420",
        "the interchange: tamtam://host:port, tamtams://host:port, unix:///path, ws://host:port/ws or wss://host:port/ws");

    public static readonly Setting Link = new("link", "TAMTAM_LINK", null, "the link commands join");

    public static readonly Setting Node = new("node", "TAMTAM_NODE", null, "the node name commands join as");

    public static readonly Setting Token = new("token", "TAMTAM_TOKEN", null, "the access token sent in HELLO (tamtam token)");

    public static readonly Setting CaCert = new("cacert", "TAMTAM_CACERT", null, "a PEM or DER certificate the server's TLS certificate must chain to");

    public static readonly Setting Output = new("output", "TAMTAM_OUTPUT", "human", "human, or json (as --json)");

    /// <summary>Every setting, in the order <c>config show</c> lists them.</summary>
    public static readonly IReadOnlyList<Setting> All = [Server, Link, Node, Token, CaCert, Output];

    public static Setting? Find(string key)
    {
        foreach (Setting setting in All)
        {
            if (string.Equals(setting.Key, key, StringComparison.OrdinalIgnoreCase))
            {
                return setting;
            }
        }

        return null;
    }

    /// <summary>Why <paramref name="value"/> cannot be this setting's value, or null when it can.</summary>
    public string? Check(string value)
    {
        if (this == Server && !Uri.TryCreate(value, UriKind.Absolute, out _))
        {
            return $"server \"{value}\" is not a URI such as {Server.Default}";
        }

        if (this == Output && value is not ("human" or "json"))
        {
            return $"output \"{value}\" is neither human nor json";
        }

        return null;
    }
}
