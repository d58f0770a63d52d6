using System.Runtime.CompilerServices;
using System.Text.Json;
using TamTam.Client.Internal;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Client;

public sealed partial class TamTamClient
{
    // The reference server's largest page: fewer round trips for a long trail, still one page in memory.
    private const int AuditReadPage = 1024;

    /// <summary>
    /// What the interchange knows of message <paramref name="messageId"/> (MESSAGE/MESSAGE_REPORT): pending or final, its
    /// recipients with their outcomes and attempts, its times. A node sees the messages it sent; an anonymous session, or
    /// one whose token covers the link and names no node, any message of the link (docs/security.md section 4).
    /// </summary>
    /// <param name="messageId">The message's id, as sent.</param>
    /// <param name="link">The link the message was sent to; null for the session's own.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    /// <exception cref="TamTamException">307 <see cref="ErrorCode.UnknownMessage"/>: no such message of this node's (never
    /// sent there, or ended longer ago than the link's ledger retention); 206 without <paramref name="link"/> before JOIN.</exception>
    public async ValueTask<MessageDescriptor> GetStatusAsync(Guid messageId, string? link = null, CancellationToken cancellationToken = default)
    {
        Reply report = await RequestAsync(new MessageFrame(Utf8Text.From(link), messageId), FrameType.MessageReport, cancellationToken)
            .ConfigureAwait(false);
        return (MessageDescriptor)report.Data!;
    }

    /// <summary>
    /// Cancels a message not yet final (CANCEL): it ends CANCELED, and its sender receives that STATUS as any final state.
    /// Deliveries already acknowledged keep their outcome; a recipient's later ACK of it is answered 304.
    /// </summary>
    /// <param name="messageId">The message's id, as sent.</param>
    /// <param name="link">The link the message was sent to; null for the session's own.</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    /// <exception cref="TamTamException">308 <see cref="ErrorCode.NotCancelable"/>: the message is final already (the detail
    /// names its state); 307: no such message of this node's; 501: try again.</exception>
    public async ValueTask CancelAsync(Guid messageId, string? link = null, CancellationToken cancellationToken = default) =>
        await RequestAsync(new CancelFrame(Utf8Text.From(link), messageId), FrameType.Ok, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// One page of a link's audit trail (AUDIT/AUDIT_REPORT): its final messages in the order they were accepted.
    /// Start with <paramref name="cursor"/> 0 and pass each page's <see cref="AuditPage.Next"/> on; 0 there means the trail
    /// has no more for now.
    /// </summary>
    /// <param name="link">The link; null for the session's own.</param>
    /// <param name="cursor">0, or the previous page's <see cref="AuditPage.Next"/>.</param>
    /// <param name="limit">At most this many records; 0 lets the server choose (256 on the reference server, at most 1,024).</param>
    /// <param name="cancellationToken">Stops waiting for the answer.</param>
    /// <exception cref="TamTamException">203: the session's token does not allow the link's trail.</exception>
    public async ValueTask<AuditPage> ReadAuditPageAsync(string? link, ulong cursor = 0, int limit = 0, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ushort asked = (ushort)Math.Min(limit, ushort.MaxValue);
        Reply report = await RequestAsync(new AuditFrame(Utf8Text.From(link), cursor, asked), FrameType.AuditReport, cancellationToken)
            .ConfigureAwait(false);
        return (AuditPage)report.Data!;
    }

    /// <summary>A link's whole audit trail as it stands, page by page: one page in memory at a time.</summary>
    /// <param name="link">The link; null for the session's own.</param>
    /// <param name="cancellationToken">Stops the enumeration.</param>
    public async IAsyncEnumerable<AuditRecord> ReadAuditAsync(string? link = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ulong cursor = 0;
        do
        {
            AuditPage page = await ReadAuditPageAsync(link, cursor, AuditReadPage, cancellationToken).ConfigureAwait(false);
            foreach (AuditRecord record in page.Records)
            {
                yield return record;
            }

            cursor = page.Next;
        }
        while (cursor != 0);
    }

    /// <summary>
    /// Writes a link's audit trail to <paramref name="output"/> as JSON lines (one object per message, UTF-8, <c>\n</c>
    /// after each), page by page: memory stays one page whatever the trail's length. Never a payload.
    /// </summary>
    /// <returns>The number of lines written.</returns>
    public async ValueTask<long> ExportAuditAsync(string? link, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        long lines = 0;
        using var buffer = new MemoryStream();
        await using (var json = new Utf8JsonWriter(buffer))
        {
            await foreach (AuditRecord record in ReadAuditAsync(link, cancellationToken).ConfigureAwait(false))
            {
                AuditJson.Write(json, record);
                json.Flush();
                buffer.WriteByte((byte)'\n');
                json.Reset();
                lines++;
                if (buffer.Length >= 64 * 1024)
                {
                    await output.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken).ConfigureAwait(false);
                    buffer.SetLength(0);
                }
            }
        }

        await output.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return lines;
    }
}
