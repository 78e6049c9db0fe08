using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;

namespace Lifeline.Server.Security;

/// <summary>
/// The users of the web app: their rules (username, password, role), password hashing with ASP.NET
/// Core Identity's <see cref="PasswordHasher{TUser}"/> (PBKDF2, compared in constant time), and
/// every change, after which <see cref="SessionCheck"/> forgets what it knew of the user.
/// </summary>
public sealed partial class UserAccounts(IUserStore store, SessionCheck sessions, TimeProvider clock)
{
    public const string EnvironmentUser = "LIFELINE_ADMIN_USER";
    public const string EnvironmentPassword = "LIFELINE_ADMIN_PASSWORD";
    public const int MinimumPasswordLength = 8;
    /// <summary>Longer passwords are refused: hashing one costs time in proportion to its length.</summary>
    public const int MaximumPasswordLength = 1024;
    public const int MaximumUsernameLength = 64;

    private static readonly PasswordHasher<User> Hasher = new();

    /// <summary>A hash no password matches, checked for unknown usernames so that they cost as much as known ones.</summary>
    private static readonly Lazy<string> Decoy = new(() => Hasher.HashPassword(null!, Secrets.NewApiKey()));

    private volatile bool _anyUser;

    /// <summary>Why <paramref name="username"/> is not a valid username, or null.</summary>
    public static string? UsernameProblem(string? username) =>
        string.IsNullOrEmpty(username) ? "username is required"
        : username.Length > MaximumUsernameLength || !UsernamePattern().IsMatch(username)
            ? $"username must be 1 to {MaximumUsernameLength} characters: letters, digits, '.', '_', '-' or '@'"
            : null;

    /// <summary>Why <paramref name="password"/> is not a valid password, or null.</summary>
    public static string? PasswordProblem(string? password) =>
        string.IsNullOrEmpty(password) ? "password is required"
        : password.Length < MinimumPasswordLength ? $"password must be at least {MinimumPasswordLength} characters"
        : password.Length > MaximumPasswordLength ? $"password must be at most {MaximumPasswordLength} characters"
        : null;

    public static string? RoleProblem(string? role) =>
        role is User.Admin or User.Viewer ? null : "role must be admin or viewer";

    [GeneratedRegex("^[A-Za-z0-9._@-]+$")]
    private static partial Regex UsernamePattern();

    /// <summary>Whether any user exists; once one does, it is remembered (the last admin cannot be deleted).</summary>
    public async Task<bool> AnyUserAsync(CancellationToken ct)
    {
        if (!_anyUser)
        {
            _anyUser = await store.AnyUserAsync(ct);
        }
        return _anyUser;
    }

    public Task<IReadOnlyList<User>> ListAsync(CancellationToken ct) => store.UsersAsync(ct);

    public Task<User?> FindAsync(string id, CancellationToken ct) => store.FindUserAsync(id, ct);

    /// <summary>
    /// Adds a user whose fields passed the checks above; with <paramref name="onlyIfFirst"/>, only
    /// while no user exists (first-run setup).
    /// </summary>
    public async Task<(User User, UserChange Change)> CreateAsync(string username, string password, string role, bool onlyIfFirst, CancellationToken ct)
    {
        var user = new User(Secrets.NewId(), username, Hasher.HashPassword(null!, password), role, User.NewStamp(), clock.GetUtcNow());
        var change = await store.AddUserAsync(user, onlyIfFirst, ct);
        if (change is UserChange.Done or UserChange.UsersExist)
        {
            _anyUser = true;
        }
        return (user, change);
    }

    /// <summary>
    /// The user with that username and password, or null. An unknown username costs one hash too,
    /// so the time taken does not tell which usernames exist.
    /// </summary>
    public async Task<User?> VerifyAsync(string username, string password, CancellationToken ct)
    {
        var user = UsernameProblem(username) is null ? await store.FindUserByNameAsync(username, ct) : null;
        var result = Hasher.VerifyHashedPassword(user!, user?.PasswordHash ?? Decoy.Value, password);
        return user is not null && result != PasswordVerificationResult.Failed ? user : null;
    }

    /// <summary>Changes what is given (username, password, role); a new password or role ends the user's sessions.</summary>
    public async Task<(User? User, UserChange Change)> UpdateAsync(string id, string? username, string? password, string? role, CancellationToken ct)
    {
        var user = await store.FindUserAsync(id, ct);
        if (user is null)
        {
            return (null, UserChange.NotFound);
        }
        var changed = user with { Username = username ?? user.Username, Role = role ?? user.Role };
        if (password is not null)
        {
            changed = changed with { PasswordHash = Hasher.HashPassword(null!, password) };
        }
        if (password is not null || changed.Role != user.Role)
        {
            changed = changed with { SecurityStamp = User.NewStamp() };
        }
        var change = await store.UpdateUserAsync(changed, ct);
        sessions.Forget(id);
        return (change == UserChange.Done ? changed : user, change);
    }

    public async Task<UserChange> DeleteAsync(string id, CancellationToken ct)
    {
        var change = await store.DeleteUserAsync(id, ct);
        sessions.Forget(id);
        return change;
    }

    /// <summary>
    /// Creates the admin named by <c>LIFELINE_ADMIN_USER</c> with <c>LIFELINE_ADMIN_PASSWORD</c> when
    /// no user has that name; an existing one is left as it is. Throws
    /// <see cref="InvalidOperationException"/> naming the variable when a value is missing or bad.
    /// Returns whether it created the user.
    /// </summary>
    public async Task<bool> EnsureAdminAsync(string? username, string? password, CancellationToken ct)
    {
        if (Problems(username, password) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }
        if (string.IsNullOrEmpty(username) || await store.FindUserByNameAsync(username, ct) is not null)
        {
            return false;
        }
        var (_, change) = await CreateAsync(username, password!, User.Admin, onlyIfFirst: false, ct);
        return change == UserChange.Done;
    }

    /// <summary>What is wrong with the two variables, naming the one at fault; null when both are fine or both unset.</summary>
    public static string? Problems(string? username, string? password)
    {
        if (string.IsNullOrEmpty(username) && string.IsNullOrEmpty(password))
        {
            return null;
        }
        if (string.IsNullOrEmpty(username))
        {
            return $"{EnvironmentPassword} is set but {EnvironmentUser} is not: set both to create the first admin";
        }
        if (UsernameProblem(username) is { } badName)
        {
            return $"{EnvironmentUser}: {badName}";
        }
        if (string.IsNullOrEmpty(password))
        {
            return $"{EnvironmentUser} is set but {EnvironmentPassword} is not: set both to create the first admin";
        }
        return PasswordProblem(password) is { } badPassword ? $"{EnvironmentPassword}: {badPassword}" : null;
    }
}
