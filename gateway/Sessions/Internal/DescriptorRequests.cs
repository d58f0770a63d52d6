using TamTam.Gateway.Security;
using TamTam.Interfaces.Descriptors;
using TamTam.Interfaces.Links;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Sessions.Internal;

/// <summary>
/// Answers MESSAGE, CANCEL and AUDIT (docs/protocol.md sections 5.19 and 5.20): a message's descriptor grain for the
/// first two, the link grain for the audit trail. Who may see what is docs/security.md section 4: a session acts on
/// the messages its own node sent; an anonymous session, or one whose token covers the link and names no node, on any
/// message of the link.
/// </summary>
internal static class DescriptorRequests
{
    /// <summary>Entries of an AUDIT_REPORT when the AUDIT leaves the choice to the server.</summary>
    public const int DefaultAuditPage = 256;

    // next (u64) and count (u16) before the entries.
    private const int AuditReportFixedLength = 8 + 2;

    // The largest entry: two 64-byte names and a 255-byte port with their length bytes, and the fixed fields.
    private const int MaxAuditEntryLength = AuditReportFrame.MinEntrySize - 6 + 65 + 65 + 256;

    public static async Task<OperationResult> AnswerAsync(GatewaySession session, Frame frame)
    {
        if (session.Grains is not { } grains)
        {
            return OperationResult.Fail(ErrorCode.Unavailable, "this gateway runs without a cluster: messages are unavailable");
        }

        SessionLink? joined = session.Link;
        switch (frame.Type)
        {
            case FrameType.Message:
                {
                    MessageFrame query = frame.Decode<MessageFrame>();
                    if (LinkOf(query.Link, joined) is not { } link)
                    {
                        return NotJoined(frame.Type);
                    }

                    DescriptorAnswer answer = await grains.GetGrain<IMessageDescriptorGrain>(IMessageDescriptorGrain.KeyOf(link, query.MessageId))
                        .DescribeAsync(Requester(session, link)).ConfigureAwait(false);
                    if (answer.Descriptor is not { } descriptor)
                    {
                        return OperationResult.Fail(answer.Code, answer.Detail ?? answer.Code.WireName());
                    }

                    await session.Output.WriteAsync(ToReport(descriptor, session.Output.PeerMaxBody), frame.Correlation, session.Closing).ConfigureAwait(false);
                    return OperationResult.Ok;
                }

            case FrameType.Cancel:
                {
                    CancelFrame cancel = frame.Decode<CancelFrame>();
                    if (LinkOf(cancel.Link, joined) is not { } link)
                    {
                        return NotJoined(frame.Type);
                    }

                    OperationResult canceled = await grains.GetGrain<IMessageDescriptorGrain>(IMessageDescriptorGrain.KeyOf(link, cancel.MessageId))
                        .CancelAsync(Requester(session, link)).ConfigureAwait(false);
                    if (canceled.Succeeded)
                    {
                        await session.Output.WriteAsync(new OkFrame(), frame.Correlation, session.Closing).ConfigureAwait(false);
                    }

                    return canceled;
                }

            default:
                {
                    AuditFrame audit = frame.Decode<AuditFrame>();
                    if (LinkOf(audit.Link, joined) is not { } link)
                    {
                        return NotJoined(frame.Type);
                    }

                    if (!Requester(session, link).AnySender)
                    {
                        return OperationResult.Fail(ErrorCode.Forbidden, $"the access token does not allow reading the audit trail of link \"{link}\"");
                    }

                    int fits = Math.Max(1, (session.Output.PeerMaxBody - AuditReportFixedLength) / MaxAuditEntryLength);
                    int limit = Math.Min(audit.Limit == 0 ? DefaultAuditPage : audit.Limit, fits);
                    AuditPage page = await grains.GetGrain<ILinkGrain>(link).ReadAuditAsync(audit.Cursor, limit).ConfigureAwait(false);
                    var entries = new AuditEntry[page.Lines.Length];
                    for (int i = 0; i < entries.Length; i++)
                    {
                        AuditLine line = page.Lines[i];
                        entries[i] = new AuditEntry(line.MessageId, line.Sequence, Utf8Text.From(line.SourceLink), Utf8Text.From(line.SourceNode),
                            Utf8Text.From(line.Port), line.AcceptedAtUs, line.State, line.Recipients, line.Confirmed, line.FinalAtUs);
                    }

                    await session.Output.WriteAsync(new AuditReportFrame(page.Next, entries), frame.Correlation, session.Closing).ConfigureAwait(false);
                    return OperationResult.Ok;
                }
        }
    }

    /// <summary>
    /// The requester a session is: its node, and whether it may act on any sender's messages of <paramref name="link"/> —
    /// anonymous, or a token that covers the link and names no node.
    /// </summary>
    private static MessageRequester Requester(GatewaySession session, string link)
    {
        bool anySender = session.Access is not { } access
            || (access.Node is null && (access.Link == "*" || string.Equals(access.Link, link, StringComparison.Ordinal)));
        return new MessageRequester(session.Link?.Link ?? string.Empty, session.Link?.Node ?? string.Empty, anySender);
    }

    private static string? LinkOf(Utf8Text asked, SessionLink? joined) => asked.IsEmpty ? joined?.Link : asked.ToString();

    private static OperationResult NotJoined(FrameType type) =>
        OperationResult.Fail(ErrorCode.NotJoined, $"{type.WireName()} without a link needs a joined session");

    /// <summary>The MESSAGE_REPORT of <paramref name="descriptor"/>, its recipients cut (TRUNCATED) to fit the client's maximum body.</summary>
    private static MessageReportFrame ToReport(MessageDescriptor descriptor, int peerMaxBody)
    {
        var report = new MessageReportFrame(descriptor.MessageId, descriptor.Sequence, Utf8Text.From(descriptor.SourceLink),
            Utf8Text.From(descriptor.SourceNode), Utf8Text.From(descriptor.Link), Utf8Text.From(descriptor.Port), (byte)(descriptor.State ?? 0),
            descriptor.AcceptedAtUs, descriptor.DeadlineUs, descriptor.FinalAtUs, Utf8Text.From(descriptor.Detail), [], Truncated: false);
        int length = report.FieldsLength;
        var recipients = new List<RecipientEntry>(Math.Min(descriptor.Recipients.Length, ushort.MaxValue));
        foreach (DescriptorRecipient recipient in descriptor.Recipients)
        {
            var entry = new RecipientEntry(Utf8Text.From(recipient.Node), recipient.Outcome, recipient.Attempts);
            int size = BodyWriter.SizeOfStr8(entry.Node) + 1 + 2;
            if (recipients.Count == ushort.MaxValue || length + size > peerMaxBody)
            {
                return report with { Recipients = recipients, Truncated = true };
            }

            recipients.Add(entry);
            length += size;
        }

        return report with { Recipients = recipients };
    }
}
