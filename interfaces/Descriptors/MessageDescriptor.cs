using TamTam.Protocol;

namespace TamTam.Interfaces.Descriptors;

/// <summary>One recipient of a message: its node, how its delivery stands, and the attempts it took.</summary>
[GenerateSerializer, Immutable, Alias("tamtam.DescriptorRecipient")]
public sealed record DescriptorRecipient(
    [property: Id(0)] string Node,
    [property: Id(1)] DeliveryOutcome Outcome,
    [property: Id(2)] ushort Attempts);

/// <summary>
/// What the link knows of one message, never its payload: its place in the link's order, who sent it where, when, its
/// recipients and, once it has one, its final state.
/// </summary>
[GenerateSerializer, Immutable, Alias("tamtam.MessageDescriptor")]
public sealed record MessageDescriptor(
    [property: Id(0)] Guid MessageId,
    [property: Id(1)] ulong Sequence,
    [property: Id(2)] string SourceLink,
    [property: Id(3)] string SourceNode,
    [property: Id(4)] string Link,
    [property: Id(5)] string Port,
    [property: Id(6)] FinalState? State,
    [property: Id(7)] long AcceptedAtUs,
    [property: Id(8)] long DeadlineUs,
    [property: Id(9)] long FinalAtUs,
    [property: Id(10)] string Detail,
    [property: Id(11)] DescriptorRecipient[] Recipients)
{
    /// <summary>True once the message has its final state: nothing about it changes any more.</summary>
    public bool IsFinal => State is not null;
}

/// <summary>A descriptor, or the protocol's error code and a detail for the ERROR frame.</summary>
[GenerateSerializer, Immutable, Alias("tamtam.DescriptorAnswer")]
public sealed record DescriptorAnswer(
    [property: Id(0)] ErrorCode Code,
    [property: Id(1)] string? Detail,
    [property: Id(2)] MessageDescriptor? Descriptor)
{
    public static DescriptorAnswer Of(MessageDescriptor descriptor) => new(ErrorCode.None, null, descriptor);

    public static DescriptorAnswer Fail(ErrorCode code, string detail) => new(code, detail, null);
}
