using Microsoft.Data.Sqlite;

namespace Lifeline.Storage.Sqlite;

/// <summary>Users of the web app (migration 0010). Each change is checked and made in one write of the single writer.</summary>
public sealed partial class SqliteStore : IUserStore
{
    private const string UserColumns = "id, username, password_hash, role, security_stamp, created_at";

    public Task<IReadOnlyList<User>> UsersAsync(CancellationToken ct)
    {
        using var connection = OpenReader();
        IReadOnlyList<User> rows = Query(connection, $"SELECT {UserColumns} FROM users ORDER BY username_key, id", ReadUser);
        return Task.FromResult(rows);
    }

    public Task<bool> AnyUserAsync(CancellationToken ct)
    {
        using var connection = OpenReader();
        using var command = ReadCommand(connection, "SELECT EXISTS (SELECT 1 FROM users)");
        return Task.FromResult(Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) != 0);
    }

    public Task<User?> FindUserAsync(string id, CancellationToken ct)
    {
        using var connection = OpenReader();
        return Task.FromResult(Query(connection, $"SELECT {UserColumns} FROM users WHERE id = @id", ReadUser, ("@id", id)).FirstOrDefault());
    }

    public Task<User?> FindUserByNameAsync(string username, CancellationToken ct)
    {
        using var connection = OpenReader();
        return Task.FromResult(Query(connection, $"SELECT {UserColumns} FROM users WHERE username_key = @key", ReadUser, ("@key", User.KeyOf(username))).FirstOrDefault());
    }

    public Task<UserChange> AddUserAsync(User user, bool onlyIfFirst, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        return Writer.WriteAsync(ctx =>
        {
            if (onlyIfFirst && ctx.Scalar("SELECT 1 FROM users LIMIT 1") is not null)
            {
                return UserChange.UsersExist;
            }
            if (ctx.Scalar("SELECT 1 FROM users WHERE username_key = @key", ("@key", user.Key)) is not null)
            {
                return UserChange.NameTaken;
            }
            ctx.Exec(
                "INSERT INTO users (id, username, username_key, password_hash, role, security_stamp, created_at) " +
                "VALUES (@id, @username, @key, @hash, @role, @stamp, @created)", UserParameters(user));
            return UserChange.Done;
        });
    }

    public Task<UserChange> UpdateUserAsync(User user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(user);
        return Writer.WriteAsync(ctx =>
        {
            if (ctx.Scalar("SELECT role FROM users WHERE id = @id", ("@id", user.Id)) is not string role)
            {
                return UserChange.NotFound;
            }
            if (ctx.Scalar("SELECT 1 FROM users WHERE username_key = @key AND id <> @id", ("@key", user.Key), ("@id", user.Id)) is not null)
            {
                return UserChange.NameTaken;
            }
            if (role == User.Admin && !user.IsAdmin && OtherAdmins(ctx, user.Id) == 0)
            {
                return UserChange.LastAdmin;
            }
            ctx.Exec(
                "UPDATE users SET username = @username, username_key = @key, password_hash = @hash, role = @role, security_stamp = @stamp WHERE id = @id",
                UserParameters(user));
            return UserChange.Done;
        });
    }

    public Task<UserChange> DeleteUserAsync(string id, CancellationToken ct) =>
        Writer.WriteAsync(ctx =>
        {
            if (ctx.Scalar("SELECT role FROM users WHERE id = @id", ("@id", id)) is not string role)
            {
                return UserChange.NotFound;
            }
            if (role == User.Admin && OtherAdmins(ctx, id) == 0)
            {
                return UserChange.LastAdmin;
            }
            ctx.Exec("DELETE FROM users WHERE id = @id", ("@id", id));
            return UserChange.Done;
        });

    private static long OtherAdmins(WriteContext ctx, string id) =>
        Convert.ToInt64(ctx.Scalar("SELECT count(*) FROM users WHERE role = @admin AND id <> @id", ("@admin", User.Admin), ("@id", id)),
            System.Globalization.CultureInfo.InvariantCulture);

    private static (string, object?)[] UserParameters(User u) =>
        [("@id", u.Id), ("@username", u.Username), ("@key", u.Key), ("@hash", u.PasswordHash), ("@role", u.Role), ("@stamp", u.SecurityStamp), ("@created", Time.Ms(u.CreatedAt))];

    private static User ReadUser(SqliteDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), Time.From(r.GetInt64(5)));
}
