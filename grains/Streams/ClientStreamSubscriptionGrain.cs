using Microsoft.Extensions.DependencyInjection;
using Orleans.Placement;
using TamTam.Grains.Streams.Provider;
using TamTam.Interfaces.Streams;

namespace TamTam.Grains.Streams;

/// <summary>
/// Holds one Orleans client's subscription to a port stream on its silo (docs/architecture.md, "Orleans streams over
/// the direct path"): the silo's relay hands the stream's batches to the client's consumer object as it hands them to a
/// subscribed grain. Placed on the silo of the client's gateway; kept active while the silo holds the subscription,
/// which ends at <see cref="UnsubscribeAsync"/> or when the client is found gone.
/// </summary>
/// <remarks>Not reentrant; its calls only change the silo's table of subscriptions.</remarks>
[PreferLocalPlacement]
public sealed class ClientStreamSubscriptionGrain(IServiceProvider services) : Grain, IClientStreamSubscriptionGrain
{
    private static readonly TimeSpan CheckPeriod = TimeSpan.FromMinutes(1);

    private readonly GrainSubscribers _subscribers = services.GetRequiredService<GrainSubscribers>();
    private IGrainTimer? _check;

    public async Task SubscribeAsync(string key, IStreamPacketConsumer consumer)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(consumer);
        GrainId client = consumer.GetGrainId();
        await _subscribers.SubscribeAsync(key, this.GetPrimaryKey(), client, consumer).ConfigureAwait(ConfigureAwaitOptions.ContinueOnCapturedContext);
        _check ??= this.RegisterGrainTimer(CheckAsync, new GrainTimerCreationOptions(CheckPeriod, CheckPeriod) { KeepAlive = true });
    }

    public Task UnsubscribeAsync()
    {
        _subscribers.Unsubscribe(this.GetPrimaryKey());
        StopChecking();
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _subscribers.Unsubscribe(this.GetPrimaryKey());
        return Task.CompletedTask;
    }

    // The subscription ended without a call (the client was found gone): nothing keeps this grain any longer.
    private Task CheckAsync(CancellationToken cancellationToken)
    {
        if (!_subscribers.Holds(this.GetPrimaryKey()))
        {
            StopChecking();
        }

        return Task.CompletedTask;
    }

    private void StopChecking()
    {
        _check?.Dispose();
        _check = null;
        this.DeactivateOnIdle();
    }
}
