namespace TamTam.Grains.Links.Internal;

/// <summary>A link's log since its activation's last checkpoint: what decides when the next one is due.</summary>
/// <param name="CheckpointLsn">The LSN of the last checkpoint; 0 before this activation wrote one.</param>
/// <param name="CheckpointBytes">Its encoded size.</param>
/// <param name="Records">Records appended since (those replayed, right after activation).</param>
/// <param name="Bytes">Their encoded bytes (replayed ones not counted).</param>
internal readonly record struct CheckpointProgress(long CheckpointLsn, int CheckpointBytes, long Records, long Bytes);
