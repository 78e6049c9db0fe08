using Lifeline.Channels.Telegram;
using Lifeline.Server.Endpoints;

namespace Lifeline.Server.Telegram;

/// <summary>What the Telegram bot sees of the server: status from the stores, pause, resume and acknowledge by name.</summary>
internal sealed class BotBackend(IMonitorStore store, MaintenanceLookup maintenance, IClusterStore clusterStore, ClusterCoordinator cluster, ServerState server, SchedulerPulse pulse, TimeProvider clock) : IBotBackend
{
    public async Task<BotStatus> GetStatusAsync(CancellationToken ct)
    {
        var inMaintenance = await maintenance.InMaintenanceAsync(ct);
        var monitors = (await store.ListAllAsync(ct)).Select(m => new BotMonitor(m.Name, m.Status, m.LastSignalAt, inMaintenance(m))).ToList();
        var now = clock.GetUtcNow();
        var nodes = (await clusterStore.NodesAsync(ct)).Select(n => new BotNode(n.Id, n.Address, n.Version, n.LastSeenAt, cluster.IsAlive(n, now), n.Id == cluster.Self.Id)).ToList();
        return new BotStatus(
            server.StoreOpen ? "running" : "starting",
            server.StartedAt,
            pulse.LastTickAt is null ? "starting" : pulse.IsAlive ? "running" : "stalled",
            pulse.LastTickAt,
            monitors,
            nodes);
    }

    public Task<string> PauseAsync(string name, CancellationToken ct) =>
        ChangeAsync(name, MonitorMachine.Pause, "paused", ct);

    public Task<string> ResumeAsync(string name, CancellationToken ct) =>
        ChangeAsync(name, m => MonitorMachine.Resume(m, clock.GetUtcNow()), "resumed", ct);

    public async Task<string> AcknowledgeAsync(string name, string by, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return "Which monitor? Give its name, e.g. /ack nightly-backup";
        }
        var monitor = await store.FindByNameAsync(name, ct);
        if (monitor is null)
        {
            return $"No monitor is called \"{name.Trim()}\".";
        }
        var at = clock.GetUtcNow();
        var changed = await store.ChangeAsync(monitor.Id, m => Acknowledgement.Ack(m, by, at) ?? Flip.Quiet(m, m), ct);
        if (changed is null)
        {
            return $"No monitor is called \"{name.Trim()}\".";
        }
        return changed.AcknowledgedAt is null
            ? $"{changed.Name} has no open incident to acknowledge; it is {WireNames.Of(changed.Status)}."
            : $"{changed.Name}: incident acknowledged by {changed.AcknowledgedBy}; no more reminders until it recovers.";
    }

    private async Task<string> ChangeAsync(string name, Func<Monitor, Flip> change, string done, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return "Which monitor? Give its name, e.g. /pause nightly-backup";
        }
        var monitor = await store.FindByNameAsync(name, ct);
        if (monitor is null)
        {
            return $"No monitor is called \"{name.Trim()}\".";
        }
        var changed = await store.ChangeAsync(monitor.Id, change, ct);
        return changed is null
            ? $"No monitor is called \"{name.Trim()}\"."
            : $"{changed.Name} is {done}; it is now {WireNames.Of(changed.Status)}.";
    }
}

/// <summary>The bot's getUpdates offset, in the settings table.</summary>
internal sealed class BotOffsetStore(ISettingsStore settings) : IBotOffsetStore
{
    private const string Key = "telegram.offset";

    public async Task<long?> GetAsync(CancellationToken ct) =>
        long.TryParse(await settings.GetAsync(Key, ct), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var offset) ? offset : null;

    public Task SetAsync(long offset, CancellationToken ct) =>
        settings.SetAsync(Key, offset.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
}
