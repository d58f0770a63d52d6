namespace TamTam.Grains.Links.Internal;

/// <summary>
/// Work a grain does one round at a time: a call while a round runs does not start another, it makes the running one
/// go round once more when it ends. A burst of calls so becomes a few rounds, each taking all there is by then. Used
/// from grain turns only (one at a time), so it needs no lock.
/// </summary>
internal sealed class Rounds
{
    private bool _running;
    private bool _again;

    /// <summary>Runs <paramref name="round"/> until no call came during the last one, or <paramref name="stop"/> says so.</summary>
    public async Task RunAsync(Func<Task> round, Func<bool> stop)
    {
        if (_running)
        {
            _again = true;
            return;
        }

        _running = true;
        try
        {
            do
            {
                _again = false;
                await round();
            }
            while (_again && !stop());
        }
        finally
        {
            _running = false;
        }
    }
}
