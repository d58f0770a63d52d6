using TamTam.Grains.Links.Internal;
using TamTam.Protocol;

namespace TamTam.Grains.Tests.Core;

/// <summary>A node's inbox against a sorted dictionary, the structure it replaced, over the operations a link makes.</summary>
public sealed class SequenceInboxTests
{
    private static readonly PendingMessage Message = new(
        new MessageAccepted(1, Guid.NewGuid(), 0, 0, "link", "sender", "port", PortMode.Unicast, 1, ["node"], []), 1);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Random_appends_replacements_out_of_order_adds_and_removals_keep_the_inbox_in_sequence_order(int seed)
    {
        var random = new Random(seed);
        var inbox = new SequenceInbox();
        var model = new SortedDictionary<ulong, Recipient>();
        ulong next = 1;
        for (int step = 0; step < 20_000; step++)
        {
            int choice = random.Next(100);
            if (choice < 45)
            {
                // The usual case: the link's next sequence.
                var recipient = new Recipient(Message, "node");
                inbox.Set(next, recipient);
                model[next++] = recipient;
            }
            else if (choice < 50 && next > 1)
            {
                // A reassigned recipient: any sequence already used, present or not.
                ulong sequence = (ulong)random.NextInt64(1, (long)next);
                var recipient = new Recipient(Message, "node");
                inbox.Set(sequence, recipient);
                model[sequence] = recipient;
            }
            else if (model.Count > 0)
            {
                // Settled, mostly among the oldest, sometimes any (an unknown sequence too).
                ulong sequence = choice < 85 ? model.Keys.ElementAt(random.Next(Math.Min(8, model.Count))) : (ulong)random.NextInt64(1, (long)next + 2);
                Assert.Equal(model.Remove(sequence), inbox.Remove(sequence));
            }

            Assert.Equal(model.Count, inbox.Count);
            if (step % 97 == 0)
            {
                Assert.Equal(model.Values, inbox);
            }
        }

        Assert.Equal(model.Values, inbox);
        foreach (ulong sequence in model.Keys.ToArray())
        {
            Assert.True(inbox.Remove(sequence));
        }

        Assert.Empty(inbox);
        Assert.False(inbox.Remove(1));
    }

    [Fact]
    public void An_inbox_emptied_and_filled_again_starts_over()
    {
        var inbox = new SequenceInbox();
        var first = new Recipient(Message, "node");
        inbox.Set(5, first);
        Assert.True(inbox.Remove(5));
        Assert.Empty(inbox);

        var second = new Recipient(Message, "node");
        var third = new Recipient(Message, "node");
        inbox.Set(3, second);
        inbox.Set(2, third);
        Assert.Equal([third, second], inbox);
        Assert.False(inbox.Remove(5));
    }
}
