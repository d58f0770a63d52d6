using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TamTam.Grains.Descriptors.Internal;
using TamTam.Grains.Links;
using TamTam.Interfaces.Descriptors;
using TamTam.Interfaces.Links;

namespace TamTam.Grains.Descriptors;

/// <summary>
/// A message as a virtual grain, keyed <c>link/message-id</c>: activated on demand by a MESSAGE or CANCEL, never on the
/// send path (a grain per message measured at about 2 K messages/s against the link's group-committed log). It holds
/// no state of its own: the message's descriptor lives in its link's log and final-state ledger, and the link grain is
/// the single writer of it, so a cancel and a delivery are decided in the link's one order. What it keeps is a final
/// answer: a final state never changes, so repeated queries of an ended message cost the link nothing.
/// </summary>
/// <remarks>Not reentrant: calls about one message are rare and take their turn.</remarks>
[CollectionAgeLimit(Minutes = 2)]
public sealed class MessageDescriptorGrain(IOptions<OrchestratorOptions> options, ILogger<MessageDescriptorGrain> logger) : Grain, IMessageDescriptorGrain
{
    private readonly TimeSpan _retention = options.Value.LedgerRetention;
    private string _link = "";
    private Guid _messageId;
    private MessageDescriptor? _final;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        string key = this.GetPrimaryKeyString();
        int slash = key.LastIndexOf('/');
        if (slash <= 0 || !Guid.TryParse(key.AsSpan(slash + 1), out _messageId))
        {
            throw new ArgumentException($"a message descriptor's key is \"link/message-id\", not \"{key}\"");
        }

        _link = key[..slash];
        DescriptorLog.Activated(logger, _link, _messageId);
        return Task.CompletedTask;
    }

    public async Task<DescriptorAnswer> DescribeAsync(MessageRequester requester)
    {
        ArgumentNullException.ThrowIfNull(requester);
        if (_final is { } final && requester.May(final.SourceLink, final.SourceNode) && !PastRetention(final))
        {
            return DescriptorAnswer.Of(final);
        }

        DescriptorAnswer answer = await Link.DescribeMessageAsync(_messageId, requester);
        if (answer.Descriptor is { IsFinal: true } ended)
        {
            _final = ended;
        }

        return answer;
    }

    public async Task<OperationResult> CancelAsync(MessageRequester requester)
    {
        ArgumentNullException.ThrowIfNull(requester);
        OperationResult result = await Link.CancelMessageAsync(_messageId, requester);
        _final = null;
        DescriptorLog.CancelAnswered(logger, _link, _messageId, $"{requester.Link}/{requester.Node}", result.Code);
        return result;
    }

    private ILinkGrain Link => GrainFactory.GetGrain<ILinkGrain>(_link);

    private bool PastRetention(MessageDescriptor final) =>
        DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch.AddTicks(final.FinalAtUs * 10) > _retention;
}
