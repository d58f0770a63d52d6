using TamTam.Client;
using TamTam.Protocol;

namespace TamTam.Cli.Sessions;

/// <summary>
/// A command's session as a node of a link, which a later run can take back: the resume token is saved in the node's
/// <see cref="SessionFile"/> as soon as the session is joined, and presented by the next run of the same server, link
/// and node — which resumes the session (its bindings, unacknowledged deliveries, an upload's held parts) instead of
/// meeting 205 NAME_TAKEN while the server holds it. A command that ends with its work done LEAVEs, freeing the node's
/// name at once; one cut short (Ctrl+C, a crash, SIGKILL, a lost connection) leaves the session for the next run.
/// </summary>
internal sealed class NodeSession : IAsyncDisposable
{
    private readonly CliConsole _console;
    private readonly SessionFile? _file;
    private readonly bool _staysMember;

    private NodeSession(CliConsole console, TamTamClient client, SessionFile? file, bool staysMember)
    {
        _console = console;
        Client = client;
        _file = file;
        _staysMember = staysMember;
    }

    public TamTamClient Client { get; }

    /// <summary>
    /// Resumes the node's saved session, or joins <paramref name="link"/> as <paramref name="node"/> afresh.
    /// </summary>
    /// <param name="console">Where the state directory's setting comes from, and where a resume is reported.</param>
    /// <param name="options">The client's options.</param>
    /// <param name="link">The link to join.</param>
    /// <param name="node">The node's name in it.</param>
    /// <param name="staysMember">
    /// The node stays in its link after the command (<c>listen</c> without <c>--leave</c>): no later command of the same
    /// node LEAVEs it, since that would give its inbox away.
    /// </param>
    /// <param name="resumable">False for a node of one run only (a random name): no file is read or written.</param>
    /// <param name="cancellationToken">Stops connecting.</param>
    /// <exception cref="TamTamException">205 with what to do: the node is in use, or held by a session this machine cannot resume.</exception>
    public static async Task<NodeSession> OpenAsync(CliConsole console, TamTamClientOptions options, string link, string node, bool staysMember,
        bool resumable, CancellationToken cancellationToken)
    {
        if (!resumable)
        {
            return new NodeSession(console, await JoinAsync(options, link, node, cancellationToken), file: null, staysMember: false);
        }

        SessionFile file = SessionFile.TryOpen(console, options.Uri, link, node)
            ?? throw new TamTamException(ErrorCode.NameTaken,
                $"node \"{node}\" of link \"{link}\" is in use by another tamtam process on this machine; stop it, or use another --node");
        try
        {
            TamTamClient client = file.Token.IsEmpty
                ? await JoinAsync(options, link, node, cancellationToken)
                : await TamTamClient.ResumeOrJoinAsync(options, link, node, file.Token, cancellationToken);

            // A session a listener keeps stays kept, whichever command resumed it; so does the node tamtam join made current.
            bool stays = staysMember || (client.IsResumed && file.StaysMember) || JoinedSession.Read(console)?.Is(options.Uri, link, node) == true;
            file.Save(client.ResumeToken, stays, client.SessionTimeout);
            client.Reconnected += (_, _) => file.Save(client.ResumeToken, stays, client.SessionTimeout);
            if (client.IsResumed)
            {
                await console.Error.WriteLineAsync($"resumed the session of node {node} of link {link}");
            }

            return new NodeSession(console, client, file, stays);
        }
        catch (TamTamException exception) when (exception.Code == ErrorCode.NameTaken)
        {
            file.Dispose();
            throw new TamTamException(ErrorCode.NameTaken,
                $"{exception.Detail}. Node \"{node}\" belongs to another session: a tamtam still running elsewhere, or one that ended " +
                "without leaving whose resume token is not on this machine. The server frees the name once that session's timeout " +
                "(WELCOME's session_timeout_ms, 2 minutes by default) has run out after its connection ended: run again then, or use another --node.",
                exception);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The command's work is done and its session intact: the node LEAVEs (its name is free at once) and its file goes —
    /// unless a listener keeps the node, which then stays for its listener's return.
    /// </summary>
    /// <param name="timeout">How long the LEAVE may take.</param>
    /// <param name="evenIfKept">Leave a node a listener keeps too (<c>listen --leave</c>).</param>
    public async Task LeaveAsync(TimeSpan timeout, bool evenIfKept = false)
    {
        if (_staysMember && !evenIfKept)
        {
            return;
        }

        using var leaving = new CancellationTokenSource(timeout);
        try
        {
            await Client.LeaveAsync(leaving.Token);
            _file?.Forget();
        }
        catch (Exception exception) when (exception is TamTamException or OperationCanceledException)
        {
            // The work is done; only the name stays taken until the server's session timeout, and the next run resumes it.
            await _console.Error.WriteLineAsync($"warning: node {Client.Node} could not leave its link ({exception.Message}); the next run resumes its session");
        }
    }

    /// <summary>The node has LEFT by other means (<c>tamtam leave</c>): nothing is left to resume, its file goes.</summary>
    public void Forget() => _file?.Forget();

    /// <summary>Closes the connection without LEAVE: the session stays resumable, and its file says how.</summary>
    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        _file?.Dispose();
    }

    private static async Task<TamTamClient> JoinAsync(TamTamClientOptions options, string link, string node, CancellationToken cancellationToken)
    {
        TamTamClient client = await TamTamClient.ConnectAsync(options, cancellationToken);
        try
        {
            await client.JoinAsync(link, node, cancellationToken);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }
}
