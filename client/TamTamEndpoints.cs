namespace TamTam.Client;

/// <summary>
/// Reads the servers of one interchange from one string, as <c>TAMTAM_URI</c> and the CLI's <c>--uri</c> carry them:
/// <c>tamtam://a:7420,b:7420</c> (every host after the first takes the first one's scheme and, for a WebSocket, is
/// written with its path: <c>ws://a:7480/ws,b:7480/ws</c>), or whole URIs separated by commas
/// (<c>tamtams://a:7421,tamtams://b:7421</c>). A single URI is a list of one.
/// </summary>
/// <remarks>IPv6 addresses are written in brackets: <c>tamtam://[::1]:7420,[::1]:7421</c>. Spaces around commas are ignored.</remarks>
public static class TamTamEndpoints
{
    private const string SchemeSeparator = "://";

    /// <summary>The endpoints <paramref name="text"/> names, in its order (the order a client tries them in).</summary>
    /// <exception cref="FormatException">The text is empty, names no scheme first, or an endpoint is not an absolute URI.</exception>
    public static IReadOnlyList<Uri> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] items = text.Split(',', StringSplitOptions.TrimEntries);
        int schemeEnd = items[0].IndexOf(SchemeSeparator, StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            throw new FormatException($"\"{text}\" is not a TamTam address: expected e.g. tamtam://host:7420 or tamtam://a:7420,b:7420.");
        }

        string scheme = items[0][..schemeEnd];
        var endpoints = new Uri[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            string item = items[i];
            if (item.Length == 0)
            {
                throw new FormatException($"\"{text}\" has an empty endpoint between two commas.");
            }

            string whole = item.Contains(SchemeSeparator, StringComparison.Ordinal) ? item : scheme + SchemeSeparator + item;
            if (!Uri.TryCreate(whole, UriKind.Absolute, out Uri? uri))
            {
                throw new FormatException($"\"{item}\" in \"{text}\" is not an absolute URI such as {scheme}://host:7420.");
            }

            endpoints[i] = uri;
        }

        return endpoints;
    }
}
