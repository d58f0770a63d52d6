using TamTam.Gateway.Tests.Infrastructure;
using TamTam.Protocol;
using TamTam.Protocol.Frames;

namespace TamTam.Gateway.Tests.Security;

/// <summary>
/// What frames begun and not finished may hold at the gateway, all connections together
/// (<c>TamTam:Gateway:MaxUnfinishedFrameBytes</c>, docs/security.md section 8): beyond it a connection is closed with
/// 501, the connections within it and a healthy session beside them go on, and the bytes are given back.
/// </summary>
[Collection(FrameBudgetSiloCollection.Name)]
public sealed class UnfinishedFrameBudgetTests(FrameBudgetSiloFixture silo)
{
    private const int Holders = 4;
    private const int Held = 900 * 1024;
    private static readonly int FrameSize = ProtocolLimits.HeaderSize + ProtocolLimits.DefaultMaxBody;

    [Fact]
    public async Task Unfinished_frames_beyond_the_gateway_budget_are_refused_with_501_and_the_others_go_on()
    {
        await using WireClient healthy = await WireClient.ConnectWelcomedAsync(silo.Silo.TcpEndPoint);
        await healthy.AssertAliveAsync(1);
        var holders = new List<WireClient>();
        try
        {
            // Four connections each leave 900 KiB of a 1 MiB frame unsent: 3.5 of the 4 MiB budget.
            for (int i = 0; i < Holders; i++)
            {
                WireClient holder = await WireClient.ConnectWelcomedAsync(silo.Silo.TcpEndPoint);
                holders.Add(holder);
                await holder.SendRawAsync(Frame(correlation: 10u + (uint)i).AsMemory(0, Held));
            }

            await WaitForHeldAsync(Holders * (long)Held);

            // A fifth would take the total past the budget: refused with 501, fatal, and closed.
            await using (WireClient refused = await WireClient.ConnectWelcomedAsync(silo.Silo.TcpEndPoint))
            {
                await refused.SendRawAsync(Frame(correlation: 20).AsMemory(0, 600 * 1024));

                ErrorFrame error = await refused.ExpectErrorAsync(ErrorCode.Unavailable, correlation: 0, fatal: true);
                Assert.Contains("out of buffer memory", error.Message.ToString(), StringComparison.Ordinal);
                await refused.ExpectClosedAsync();
            }

            await healthy.AssertAliveAsync(2);

            // The connections within the budget finish their frames (of an unknown type: 110, not fatal) and go on.
            for (int i = 0; i < Holders; i++)
            {
                await holders[i].SendRawAsync(Frame(correlation: 10u + (uint)i).AsMemory(Held));
                await holders[i].ExpectErrorAsync(ErrorCode.UnknownType, correlation: 10u + (uint)i, fatal: false);
                await holders[i].AssertAliveAsync(30u + (uint)i);
            }

            await WaitForHeldAsync(0);
            await healthy.AssertAliveAsync(3);
        }
        finally
        {
            foreach (WireClient holder in holders)
            {
                await holder.DisposeAsync();
            }
        }
    }

    private static byte[] Frame(uint correlation) =>
        RawFrames.Frame(0x7E, correlation, body: new byte[FrameSize - ProtocolLimits.HeaderSize]);

    /// <summary>Waits until the gateway counts exactly <paramref name="bytes"/> held by unfinished frames.</summary>
    private async Task WaitForHeldAsync(long bytes)
    {
        using var timeout = new CancellationTokenSource(FramePeer.Timeout);
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        try
        {
            while (silo.Sessions.UnfinishedFrameBytes != bytes)
            {
                await tick.WaitForNextTickAsync(timeout.Token);
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the gateway holds {silo.Sessions.UnfinishedFrameBytes} bytes of unfinished frames, not {bytes}");
        }
    }
}
