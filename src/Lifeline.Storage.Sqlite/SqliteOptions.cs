namespace Lifeline.Storage.Sqlite;

/// <summary>How durable an acknowledged write is.</summary>
public enum Durability
{
    /// <summary>Survives a crash or kill of the server process: written to the files, never flushed before answering.</summary>
    Process,
    /// <summary>Also survives power loss: every commit is flushed to disk before anyone is answered.</summary>
    Power,
    /// <summary>
    /// The default: everything survives a crash or kill of the process, and everything but routine
    /// pings also survives power loss (status changes, incidents, notices, admin writes are flushed
    /// before answering). Routine pings, which change nothing but the last-seen time, are flushed
    /// within <see cref="SqliteOptions.PingFlushEvery"/>.
    /// </summary>
    Balanced,
}

/// <summary>SQLite store settings.</summary>
public sealed record SqliteOptions
{
    /// <summary>Path of the database file, e.g. <c>./data/lifeline.db</c>.</summary>
    public required string Path { get; init; }
    public Durability Durability { get; init; } = Durability.Balanced;
    /// <summary>With <see cref="Durability.Balanced"/>: how often routine pings are flushed to disk [100 ms].</summary>
    public TimeSpan PingFlushEvery { get; init; } = TimeSpan.FromMilliseconds(100);
    /// <summary>Events kept per monitor: the size of each monitor's event ring [100].</summary>
    public int EventsKept { get; init; } = 100;
    /// <summary>Whether the writer folds waiting pings into the database whenever no write waits [true]; reads and other writes fold them anyway.</summary>
    public bool FoldWhenIdle { get; init; } = true;
    /// <summary>How long the ping log grows before it is written from its start again [16 MiB].</summary>
    internal long PingLogWrapAt { get; init; } = 16 << 20;
    /// <summary>While writes fail for a storage reason, how often a probe write checks whether they work again [2 s].</summary>
    public TimeSpan HealthProbeEvery { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Most writes committed together in one transaction [512].</summary>
    public int MaxBatch { get; init; } = 512;
}
