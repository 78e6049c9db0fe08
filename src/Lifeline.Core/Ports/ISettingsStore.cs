namespace Lifeline.Core;

/// <summary>A stored API key: only its SHA-256 hash is kept.</summary>
public sealed record ApiKeyRecord(string Id, string Name, byte[] Hash, bool ReadOnly, DateTimeOffset CreatedAt);

/// <summary>Instance-wide values (ping key, scheduler tick) and API keys.</summary>
public interface ISettingsStore
{
    Task<string?> GetAsync(string key, CancellationToken ct);
    Task SetAsync(string key, string value, CancellationToken ct);
    /// <summary>Stores the value unless the key exists; returns the value now stored.</summary>
    Task<string> GetOrAddAsync(string key, string value, CancellationToken ct);

    Task<IReadOnlyList<ApiKeyRecord>> ApiKeysAsync(CancellationToken ct);
    Task AddApiKeyAsync(ApiKeyRecord key, CancellationToken ct);
    Task<bool> DeleteApiKeyAsync(string id, CancellationToken ct);
}

/// <summary>Opens the store: runs migrations. Called once at start before anything else.</summary>
public interface IStoreLifecycle
{
    Task MigrateAsync(CancellationToken ct);
    /// <summary>Short description for logs and status, e.g. "sqlite ./data/lifeline.db".</summary>
    string Describe();
}
