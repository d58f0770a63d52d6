namespace TamTam.Protocol;

/// <summary>The state a HEALTH_REPORT announces.</summary>
public enum HealthState : byte
{
    Healthy = 0,
    Degraded = 1,
    Unhealthy = 2,
}
