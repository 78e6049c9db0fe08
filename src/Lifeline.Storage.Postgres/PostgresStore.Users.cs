using System.Data.Common;

namespace Lifeline.Storage.Postgres;

/// <summary>
/// Users of the web app (migration 0006). Every change takes one advisory lock first, so changes
/// from several servers happen one after another and the checks they make (the first user, the
/// last admin, a free username) still hold when they commit.
/// </summary>
public sealed partial class PostgresStore : IUserStore
{
    private const string UserColumns = "id, username, password_hash, role, security_stamp, created_at";
    private const long UsersLock = 0x4c6c5573657273; // "LlUsers"

    public Task<IReadOnlyList<User>> UsersAsync(CancellationToken ct) =>
        ReadAsync<IReadOnlyList<User>>(async s => await s.QueryAsync($"SELECT {UserColumns} FROM users ORDER BY username_key, id", ReadUser), ct);

    public Task<bool> AnyUserAsync(CancellationToken ct) =>
        ReadAsync(async s => (bool)(await s.ScalarAsync("SELECT EXISTS (SELECT 1 FROM users)"))!, ct);

    public Task<User?> FindUserAsync(string id, CancellationToken ct) =>
        ReadAsync(async s => (await s.QueryAsync($"SELECT {UserColumns} FROM users WHERE id = @id", ReadUser, ("@id", id))).FirstOrDefault(), ct);

    public Task<User?> FindUserByNameAsync(string username, CancellationToken ct) =>
        ReadAsync(async s => (await s.QueryAsync($"SELECT {UserColumns} FROM users WHERE username_key = @key", ReadUser, ("@key", User.KeyOf(username)))).FirstOrDefault(), ct);

    public Task<UserChange> AddUserAsync(User user, bool onlyIfFirst, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        return InTransactionAsync(async s =>
        {
            await s.ExecAsync("SELECT pg_advisory_xact_lock(@key)", ("@key", UsersLock));
            if (onlyIfFirst && await s.ScalarAsync("SELECT 1 FROM users LIMIT 1") is not null)
            {
                return UserChange.UsersExist;
            }
            if (await s.ScalarAsync("SELECT 1 FROM users WHERE username_key = @key", ("@key", user.Key)) is not null)
            {
                return UserChange.NameTaken;
            }
            await s.ExecAsync(
                "INSERT INTO users (id, username, username_key, password_hash, role, security_stamp, created_at) " +
                "VALUES (@id, @username, @key, @hash, @role, @stamp, @created)", UserParameters(user));
            return UserChange.Done;
        }, ct);
    }

    public Task<UserChange> UpdateUserAsync(User user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        return InTransactionAsync(async s =>
        {
            await s.ExecAsync("SELECT pg_advisory_xact_lock(@key)", ("@key", UsersLock));
            if (await s.ScalarAsync("SELECT role FROM users WHERE id = @id", ("@id", user.Id)) is not string role)
            {
                return UserChange.NotFound;
            }
            if (await s.ScalarAsync("SELECT 1 FROM users WHERE username_key = @key AND id <> @id", ("@key", user.Key), ("@id", user.Id)) is not null)
            {
                return UserChange.NameTaken;
            }
            if (role == User.Admin && !user.IsAdmin && await OtherAdminsAsync(s, user.Id) == 0)
            {
                return UserChange.LastAdmin;
            }
            await s.ExecAsync(
                "UPDATE users SET username = @username, username_key = @key, password_hash = @hash, role = @role, security_stamp = @stamp WHERE id = @id",
                UserParameters(user));
            return UserChange.Done;
        }, ct);
    }

    public Task<UserChange> DeleteUserAsync(string id, CancellationToken ct) =>
        InTransactionAsync(async s =>
        {
            await s.ExecAsync("SELECT pg_advisory_xact_lock(@key)", ("@key", UsersLock));
            if (await s.ScalarAsync("SELECT role FROM users WHERE id = @id", ("@id", id)) is not string role)
            {
                return UserChange.NotFound;
            }
            if (role == User.Admin && await OtherAdminsAsync(s, id) == 0)
            {
                return UserChange.LastAdmin;
            }
            await s.ExecAsync("DELETE FROM users WHERE id = @id", ("@id", id));
            return UserChange.Done;
        }, ct);

    private static async Task<long> OtherAdminsAsync(Session s, string id) =>
        (long)(await s.ScalarAsync("SELECT count(*) FROM users WHERE role = @admin AND id <> @id", ("@admin", User.Admin), ("@id", id)))!;

    private static (string, object?)[] UserParameters(User u) =>
        [("@id", u.Id), ("@username", u.Username), ("@key", u.Key), ("@hash", u.PasswordHash), ("@role", u.Role), ("@stamp", u.SecurityStamp), ("@created", Time.Ms(u.CreatedAt))];

    private static User ReadUser(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), Time.From(r.GetInt64(5)));
}
