namespace TamTam.Station;

/// <summary>One interchange a station joins: where it listens (<c>tamtam://host:port</c>) and the token the station shows.</summary>
/// <param name="Endpoint">The interchange's wire protocol over TCP: <c>tamtam://host:port</c>.</param>
/// <param name="Token">The access token for HELLO (docs/security.md), or empty when the interchange allows anonymous sessions.</param>
public sealed record StationUpstream(Uri Endpoint, string Token = "")
{
    /// <summary>Reads <c>tamtam://host:port</c>.</summary>
    /// <exception cref="ArgumentException">The text is not a <c>tamtam://</c> URI with a host and port.</exception>
    public static StationUpstream Parse(string endpoint, string token = "")
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out Uri? uri))
        {
            throw new ArgumentException($"\"{endpoint}\" is not an interchange endpoint (tamtam://host:port)", nameof(endpoint));
        }

        var upstream = new StationUpstream(uri, token);
        upstream.Validate();
        return upstream;
    }

    internal void Validate()
    {
        if (!string.Equals(Endpoint.Scheme, "tamtam", StringComparison.OrdinalIgnoreCase) || Endpoint.Port <= 0 || string.IsNullOrEmpty(Endpoint.Host))
        {
            throw new ArgumentException($"the interchange endpoint \"{Endpoint}\" is not tamtam://host:port (TLS upstream is not served yet)", nameof(Endpoint));
        }
    }

    /// <inheritdoc />
    public override string ToString() => Endpoint.ToString();
}
