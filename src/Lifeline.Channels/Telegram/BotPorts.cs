namespace Lifeline.Channels.Telegram;

/// <summary>One monitor as the bot lists it.</summary>
/// <param name="Name">The monitor's name.</param>
/// <param name="Status">Its state now.</param>
/// <param name="LastSignalAt">When it was last heard from; null if never.</param>
/// <param name="InMaintenance">Whether a maintenance window in force covers it.</param>
public sealed record BotMonitor(string Name, MonitorStatus Status, DateTimeOffset? LastSignalAt, bool InMaintenance = false);

/// <summary>What <c>/status</c> reports: the server, its scheduler, and every monitor.</summary>
/// <param name="ServerStatus">A word such as <c>running</c>.</param>
/// <param name="StartedAt">When this server process started.</param>
/// <param name="SchedulerStatus">A word such as <c>running</c> or <c>stalled</c>.</param>
/// <param name="LastTickAt">The scheduler's last sweep; null if it has not run yet.</param>
/// <param name="Monitors">Every monitor, in any order.</param>
/// <param name="Nodes">The servers of the cluster (one for a server alone); empty when unknown.</param>
public sealed record BotStatus(string ServerStatus, DateTimeOffset StartedAt, string SchedulerStatus, DateTimeOffset? LastTickAt, IReadOnlyList<BotMonitor> Monitors, IReadOnlyList<BotNode>? Nodes = null);

/// <summary>One server of the cluster as the bot lists it.</summary>
/// <param name="Up">Whether it checked in recently.</param>
/// <param name="Self">Whether it is the node answering.</param>
public sealed record BotNode(string Id, string Address, string Version, DateTimeOffset LastSeenAt, bool Up, bool Self);

/// <summary>
/// What the bot may ask of the server. Implemented by the server over its stores; the bot knows
/// nothing else of them.
/// </summary>
public interface IBotBackend
{
    Task<BotStatus> GetStatusAsync(CancellationToken ct);

    /// <summary>Pauses the monitor called <paramref name="name"/>; returns the plain-text answer for the user (also when no such monitor exists).</summary>
    Task<string> PauseAsync(string name, CancellationToken ct);

    /// <summary>Resumes the monitor called <paramref name="name"/>; returns the plain-text answer for the user.</summary>
    Task<string> ResumeAsync(string name, CancellationToken ct);

    /// <summary>
    /// Acknowledges the open incident of the monitor called <paramref name="name"/> on behalf of
    /// <paramref name="by"/> (the Telegram user), which stops its reminders; returns the plain-text answer.
    /// </summary>
    Task<string> AcknowledgeAsync(string name, string by, CancellationToken ct);
}

/// <summary>
/// Keeps the bot's getUpdates offset (the next update id to fetch) across restarts, so no command
/// is answered twice. The server implements it over its settings table.
/// </summary>
public interface IBotOffsetStore
{
    /// <summary>The stored offset; null before the first update.</summary>
    Task<long?> GetAsync(CancellationToken ct);

    Task SetAsync(long offset, CancellationToken ct);
}
