using Microsoft.Extensions.Options;

namespace TamTam.Silo.Internal;

/// <summary>
/// How the silo drains when it stops (SIGTERM, Ctrl+C or <see cref="TamTamSilo.StopAsync"/>), bound from
/// <c>TamTam:Shutdown</c>. The sequence is in silo/README.md, "Drain and shutdown".
/// </summary>
internal sealed record DrainOptions
{
    public const string SectionName = "TamTam:Shutdown";

    /// <summary>
    /// <c>TamTam:Shutdown:Timeout</c>: the bound on the whole stop, drain, grain deactivation and leaving the cluster
    /// included (the host's <c>ShutdownTimeout</c> follows it); what is still running then is cut. 25 s by default,
    /// to fit within Kubernetes' <c>terminationGracePeriodSeconds</c> of 30 s with room for the process to exit.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>
    /// <c>TamTam:Shutdown:Delay</c>: how long, at least, the draining silo keeps answering before it closes its listeners:
    /// <c>/healthz/ready</c> says not ready and every new connection is told 211, so that load balancers and
    /// Kubernetes take the silo out of rotation while clients are pointed elsewhere. 0 by default; behind a load
    /// balancer, a little more than its probe interval.
    /// </summary>
    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// <c>TamTam:Shutdown:SessionGrace</c>: how long the drain waits for the sessions told 211 to end before it closes
    /// the listeners, which then cut what is left. 5 s by default.
    /// </summary>
    public TimeSpan SessionGrace { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Checks <see cref="DrainOptions"/> at start; every failure names its key.</summary>
internal sealed class DrainOptionsValidator : IValidateOptions<DrainOptions>
{
    public ValidateOptionsResult Validate(string? name, DrainOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Timeout <= TimeSpan.Zero)
        {
            failures.Add($"{DrainOptions.SectionName}:{nameof(options.Timeout)} must be positive (got {options.Timeout}).");
        }

        if (options.Delay < TimeSpan.Zero || options.Delay >= options.Timeout)
        {
            failures.Add($"{DrainOptions.SectionName}:{nameof(options.Delay)} must be zero or more and less than {DrainOptions.SectionName}:{nameof(options.Timeout)} (got {options.Delay}).");
        }

        if (options.SessionGrace < TimeSpan.Zero || options.SessionGrace >= options.Timeout)
        {
            failures.Add($"{DrainOptions.SectionName}:{nameof(options.SessionGrace)} must be zero or more and less than {DrainOptions.SectionName}:{nameof(options.Timeout)} (got {options.SessionGrace}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
