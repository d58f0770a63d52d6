using TamTam.Protocol;

namespace TamTam.Client;

/// <summary>The server's answer to <see cref="TamTamClient.HealthAsync"/>.</summary>
/// <param name="State">Healthy, degraded or unhealthy.</param>
/// <param name="Figures">
/// Named figures such as <c>silo.sessions</c> or <c>session.rtt_us</c> (docs/protocol.md section 5.6); a
/// server may add keys at any time.
/// </param>
public sealed record HealthReport(HealthState State, IReadOnlyDictionary<string, long> Figures);
