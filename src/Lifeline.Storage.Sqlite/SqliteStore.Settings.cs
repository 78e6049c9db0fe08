using Microsoft.Data.Sqlite;

namespace Lifeline.Storage.Sqlite;

public sealed partial class SqliteStore
{
    private const string ChannelColumns = "id, kind, name, settings, created_at";

    public Task<ChannelConfig> AddAsync(ChannelConfig channel, CancellationToken ct) =>
        Writer.WriteAsync(ctx =>
        {
            ctx.Exec($"INSERT INTO channels ({ChannelColumns}) VALUES (@id, @kind, @name, @settings, @created)", ChannelParameters(channel));
            return channel;
        });

    Task<ChannelConfig?> IChannelStore.FindAsync(string id, CancellationToken ct)
    {
        using var connection = OpenReader();
        return Task.FromResult(Query(connection, $"SELECT {ChannelColumns} FROM channels WHERE id = @id", ReadChannel, ("@id", id)).FirstOrDefault());
    }

    Task<IReadOnlyList<ChannelConfig>> IChannelStore.ListAsync(CancellationToken ct)
    {
        using var connection = OpenReader();
        IReadOnlyList<ChannelConfig> rows = Query(connection, $"SELECT {ChannelColumns} FROM channels ORDER BY name, id", ReadChannel);
        return Task.FromResult(rows);
    }

    public Task<ChannelConfig?> UpdateAsync(ChannelConfig channel, CancellationToken ct) =>
        Writer.WriteAsync(ctx =>
            ctx.Exec("UPDATE channels SET kind = @kind, name = @name, settings = @settings WHERE id = @id", ChannelParameters(channel)) > 0 ? channel : null);

    Task<bool> IChannelStore.DeleteAsync(string id, CancellationToken ct) =>
        Writer.WriteAsync(ctx => ctx.Exec("DELETE FROM channels WHERE id = @id", ("@id", id)) > 0);

    private static (string, object?)[] ChannelParameters(ChannelConfig c) =>
        [("@id", c.Id), ("@kind", c.Kind), ("@name", c.Name), ("@settings", c.Settings.ToJsonString()), ("@created", Time.Ms(c.CreatedAt))];

    private static ChannelConfig ReadChannel(SqliteDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), ParseSettings(r.GetString(3)), Time.From(r.GetInt64(4)));

    public Task<string?> GetAsync(string key, CancellationToken ct)
    {
        using var connection = OpenReader();
        using var command = ReadCommand(connection, "SELECT value FROM settings WHERE key = @key", ("@key", key));
        return Task.FromResult(command.ExecuteScalar() as string);
    }

    public Task SetAsync(string key, string value, CancellationToken ct) =>
        Writer.WriteAsync(ctx => ctx.Exec(
            "INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            ("@key", key), ("@value", value)));

    public Task<string> GetOrAddAsync(string key, string value, CancellationToken ct) =>
        Writer.WriteAsync(ctx =>
        {
            ctx.Exec("INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO NOTHING", ("@key", key), ("@value", value));
            return (string)ctx.Scalar("SELECT value FROM settings WHERE key = @key", ("@key", key))!;
        });

    public Task<IReadOnlyList<ApiKeyRecord>> ApiKeysAsync(CancellationToken ct)
    {
        using var connection = OpenReader();
        IReadOnlyList<ApiKeyRecord> rows = Query(connection, "SELECT id, name, hash, read_only, created_at FROM api_keys ORDER BY created_at",
            r => new ApiKeyRecord(r.GetString(0), r.GetString(1), (byte[])r.GetValue(2), r.GetInt64(3) != 0, Time.From(r.GetInt64(4))));
        return Task.FromResult(rows);
    }

    public Task AddApiKeyAsync(ApiKeyRecord key, CancellationToken ct) =>
        Writer.WriteAsync(ctx => ctx.Exec(
            "INSERT INTO api_keys (id, name, hash, read_only, created_at) VALUES (@id, @name, @hash, @ro, @created)",
            ("@id", key.Id), ("@name", key.Name), ("@hash", key.Hash), ("@ro", key.ReadOnly ? 1 : 0), ("@created", Time.Ms(key.CreatedAt))));

    public Task<bool> DeleteApiKeyAsync(string id, CancellationToken ct) =>
        Writer.WriteAsync(ctx => ctx.Exec("DELETE FROM api_keys WHERE id = @id", ("@id", id)) > 0);
}
