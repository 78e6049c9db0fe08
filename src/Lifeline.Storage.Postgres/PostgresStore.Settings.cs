using System.Data.Common;

namespace Lifeline.Storage.Postgres;

public sealed partial class PostgresStore
{
    private const string ChannelColumns = "id, kind, name, settings, created_at";

    public Task<ChannelConfig> AddAsync(ChannelConfig channel, CancellationToken ct) =>
        InTransactionAsync(async s =>
        {
            await s.ExecAsync($"INSERT INTO channels ({ChannelColumns}) VALUES (@id, @kind, @name, @settings, @created)", ChannelParameters(channel));
            return channel;
        }, ct);

    Task<ChannelConfig?> IChannelStore.FindAsync(string id, CancellationToken ct) =>
        ReadAsync(async s => (await s.QueryAsync($"SELECT {ChannelColumns} FROM channels WHERE id = @id", ReadChannel, ("@id", id))).FirstOrDefault(), ct);

    Task<IReadOnlyList<ChannelConfig>> IChannelStore.ListAsync(CancellationToken ct) =>
        ReadAsync<IReadOnlyList<ChannelConfig>>(async s => await s.QueryAsync($"SELECT {ChannelColumns} FROM channels ORDER BY name, id", ReadChannel), ct);

    public Task<ChannelConfig?> UpdateAsync(ChannelConfig channel, CancellationToken ct) =>
        InTransactionAsync(async s =>
            await s.ExecAsync("UPDATE channels SET kind = @kind, name = @name, settings = @settings WHERE id = @id", ChannelParameters(channel)) > 0 ? channel : null, ct);

    Task<bool> IChannelStore.DeleteAsync(string id, CancellationToken ct) =>
        InTransactionAsync(async s => await s.ExecAsync("DELETE FROM channels WHERE id = @id", ("@id", id)) > 0, ct);

    private static (string, object?)[] ChannelParameters(ChannelConfig c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return [("@id", c.Id), ("@kind", c.Kind), ("@name", c.Name), ("@settings", c.Settings.ToJsonString()), ("@created", Time.Ms(c.CreatedAt))];
    }

    private static ChannelConfig ReadChannel(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), ParseSettings(r.GetString(3)), Time.From(r.GetInt64(4)));

    public Task<string?> GetAsync(string key, CancellationToken ct) =>
        ReadAsync(async s => await s.ScalarAsync("SELECT value FROM settings WHERE key = @key", ("@key", key)) as string, ct);

    public Task SetAsync(string key, string value, CancellationToken ct) =>
        InTransactionAsync(s => s.ExecAsync(
            "INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            ("@key", key), ("@value", value)), ct);

    /// <summary>
    /// The insert waits for a concurrent one of the same key to commit and then does nothing, so
    /// the read after it sees whichever value won, on every server.
    /// </summary>
    public Task<string> GetOrAddAsync(string key, string value, CancellationToken ct) =>
        InTransactionAsync(async s =>
        {
            await s.ExecAsync("INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO NOTHING", ("@key", key), ("@value", value));
            return (string)(await s.ScalarAsync("SELECT value FROM settings WHERE key = @key", ("@key", key)))!;
        }, ct);

    public Task<IReadOnlyList<ApiKeyRecord>> ApiKeysAsync(CancellationToken ct) =>
        ReadAsync<IReadOnlyList<ApiKeyRecord>>(async s => await s.QueryAsync(
            "SELECT id, name, hash, read_only, created_at FROM api_keys ORDER BY created_at, id",
            r => new ApiKeyRecord(r.GetString(0), r.GetString(1), (byte[])r.GetValue(2), r.GetBoolean(3), Time.From(r.GetInt64(4)))), ct);

    public Task AddApiKeyAsync(ApiKeyRecord key, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(key);
        return InTransactionAsync(s => s.ExecAsync(
            "INSERT INTO api_keys (id, name, hash, read_only, created_at) VALUES (@id, @name, @hash, @ro, @created)",
            ("@id", key.Id), ("@name", key.Name), ("@hash", key.Hash), ("@ro", key.ReadOnly), ("@created", Time.Ms(key.CreatedAt))), ct);
    }

    public Task<bool> DeleteApiKeyAsync(string id, CancellationToken ct) =>
        InTransactionAsync(async s => await s.ExecAsync("DELETE FROM api_keys WHERE id = @id", ("@id", id)) > 0, ct);
}
