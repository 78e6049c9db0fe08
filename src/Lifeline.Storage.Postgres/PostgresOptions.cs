namespace Lifeline.Storage.Postgres;

/// <summary>PostgreSQL store settings.</summary>
public sealed record PostgresOptions
{
    /// <summary>An Npgsql connection string, e.g. <c>Host=db;Database=lifeline;Username=lifeline;Password=...</c>.</summary>
    public required string ConnectionString { get; init; }
    /// <summary>Events kept per monitor: the size of each monitor's event ring [100].</summary>
    public int EventsKept { get; init; } = 100;

    /// <summary>
    /// This server's node id, recorded on the notices it claims; null outside a server. A claim of a
    /// node whose check-in is older than <see cref="NodeTimeout"/> ends at once, without waiting for its lease.
    /// </summary>
    public string? NodeId { get; init; }
    /// <summary>How long a node may be silent before it counts as gone [10 s].</summary>
    public TimeSpan NodeTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>
    /// Push transactions under way at once, each on its own connection, each taking every push
    /// waiting [1]. One is fastest: pushes wait for the commit under way and then share the next
    /// one, so each commit (and its WAL flush) carries more of them, and no two of the node's
    /// transactions contend in PostgreSQL. More lanes made smaller batches and more commits, and
    /// at 64 connections 2 lanes pushed 0.79 times as fast as 1 (docs/BENCHMARKS.md).
    /// </summary>
    public int PushLanes { get; init; } = 1;
    /// <summary>The most pushes one transaction takes [256].</summary>
    public int PushBatch { get; init; } = 256;
    /// <summary>
    /// Monitor rows this server remembers as it last wrote them, so that a push to one of them is
    /// written without reading it first [10,000]; 0 turns that off. About 1 KB each.
    /// </summary>
    public int KnownRows { get; init; } = 10_000;
}
