namespace TamTam.Protocol.Frames;

/// <summary>The origin a station names when it sends on behalf of one of its hosted links.</summary>
public readonly record struct StationSource(Utf8Text Link, Utf8Text Node);
