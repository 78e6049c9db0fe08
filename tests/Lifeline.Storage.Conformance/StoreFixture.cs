using Lifeline.Testing;

namespace Lifeline.Storage.Conformance;

/// <summary>
/// A fresh, empty store of one kind, opened with a manual clock. Each store's test project derives
/// one; the conformance tests see the store only through its ports.
/// </summary>
public abstract class StoreFixture : IAsyncDisposable
{
    protected StoreFixture(ManualClock clock) => Clock = clock;

    public ManualClock Clock { get; }

    /// <summary>The store as it is open now (it changes with <see cref="ReopenAsync"/>).</summary>
    protected abstract object Current { get; }

    public IMonitorStore Monitors => (IMonitorStore)Current;
    public IChannelStore Channels => (IChannelStore)Current;
    public IOutboxStore Outbox => (IOutboxStore)Current;
    public ISettingsStore Settings => (ISettingsStore)Current;
    public ICheckHistoryStore History => (ICheckHistoryStore)Current;
    public IStoreLifecycle Lifecycle => (IStoreLifecycle)Current;
    public IClusterStore Cluster => (IClusterStore)Current;
    public IDependencyStore Dependencies => (IDependencyStore)Current;
    public IMaintenanceStore Maintenance => (IMaintenanceStore)Current;
    public IStatusPageStore StatusPages => (IStatusPageStore)Current;
    public IMonitorOverviewStore Overview => (IMonitorOverviewStore)Current;
    public IUserStore Users => (IUserStore)Current;
    public ILocationStore Locations => (ILocationStore)Current;

    /// <summary>
    /// Closes the store and opens the same data again, as a restart would; with
    /// <paramref name="eventsKept"/>, with that many events kept per monitor from then on.
    /// </summary>
    public abstract Task ReopenAsync(int? eventsKept = null);

    public abstract ValueTask DisposeAsync();

    public Monitor NewPush(string name = "backup", int periodSeconds = 60, int graceSeconds = 0, params string[] channels) => new()
    {
        Id = Secrets.NewId(),
        Name = name,
        PushToken = Secrets.NewPushToken(),
        Period = TimeSpan.FromSeconds(periodSeconds),
        Grace = TimeSpan.FromSeconds(graceSeconds),
        Channels = channels,
        CreatedAt = Clock.GetUtcNow(),
    };

    public Signal Up(string msg = "OK") => new() { Kind = SignalKind.Push, At = Clock.GetUtcNow(), Message = msg };

    public Signal Down(string msg = "failed") => new() { Kind = SignalKind.Push, Ok = false, At = Clock.GetUtcNow(), Message = msg };
}
