namespace Lifeline.Storage.Postgres;

/// <summary>PostgreSQL store settings.</summary>
public sealed record PostgresOptions
{
    /// <summary>An Npgsql connection string, e.g. <c>Host=db;Database=lifeline;Username=lifeline;Password=...</c>.</summary>
    public required string ConnectionString { get; init; }
    /// <summary>Events kept per monitor: the size of each monitor's event ring [100].</summary>
    public int EventsKept { get; init; } = 100;
    /// <summary>Push transactions under way at once, each on its own connection, each taking every push waiting [4].</summary>
    public int PushLanes { get; init; } = 4;
    /// <summary>The most pushes one transaction takes [256].</summary>
    public int PushBatch { get; init; } = 256;
}
