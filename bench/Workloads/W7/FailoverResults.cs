namespace TamTam.Bench.Workloads.W7;

/// <summary>One kill of W7: how long after the SIGKILL every link (and the median link) accepted a SEND issued after it.</summary>
internal sealed record KillResult
{
    public string Workload { get; init; } = "w7-kill";

    public required int Kill { get; init; }

    /// <summary>The killed silo's index (0-based).</summary>
    public required int Silo { get; init; }

    public required string Clustering { get; init; }

    public required int Links { get; init; }

    /// <summary>From the SIGKILL until the last link to recover ACCEPTED a SEND issued after the kill.</summary>
    public required double EveryLinkAcceptingMs { get; init; }

    /// <summary>The same for the median link (most links never lost their silo).</summary>
    public required double LinkP50Ms { get; init; }

    /// <summary>Messages ACCEPTED between the kill and every link accepting again.</summary>
    public required int AcceptedDuringKill { get; init; }

    /// <summary>Starting the killed silo again until it listened (not part of the failover).</summary>
    public required double RestartMs { get; init; }

    public required string Date { get; init; }
}

/// <summary>A W7 run: the recovery times over its kills, and what the traffic kept (lost and duplicated must be 0).</summary>
internal sealed record FailoverSummary
{
    public string Workload { get; init; } = "w7";

    public required string Clustering { get; init; }

    public required int Silos { get; init; }

    public required int Links { get; init; }

    public required int Window { get; init; }

    public required int PayloadBytes { get; init; }

    public required int Kills { get; init; }

    public required double EveryLinkAcceptingP50Ms { get; init; }

    public required double EveryLinkAcceptingMaxMs { get; init; }

    public required int Accepted { get; init; }

    /// <summary>ACCEPTED messages the consumers' applications never got.</summary>
    public required int Lost { get; init; }

    /// <summary>Message ids an application was handed a second time.</summary>
    public required int DuplicatedToApplications { get; init; }

    /// <summary>ACCEPTED messages whose final state never reached their producer.</summary>
    public required int WithoutFinalState { get; init; }

    public required IReadOnlyDictionary<string, int> FinalStates { get; init; }

    /// <summary>SENDs refused (no ACCEPTED), by error code: what senders saw during the failovers.</summary>
    public required IReadOnlyDictionary<string, int> RefusedSends { get; init; }

    public required string Date { get; init; }
}
