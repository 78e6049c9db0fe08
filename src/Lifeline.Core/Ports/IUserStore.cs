namespace Lifeline.Core;

/// <summary>
/// The users of the web app. Usernames are unique without regard to case. Every change is checked
/// and made in one transaction, so two changes at once can never leave the server without an admin.
/// </summary>
public interface IUserStore
{
    /// <summary>Every user, in username order (without case).</summary>
    Task<IReadOnlyList<User>> UsersAsync(CancellationToken ct);

    Task<bool> AnyUserAsync(CancellationToken ct);

    Task<User?> FindUserAsync(string id, CancellationToken ct);

    /// <summary>The user with that username, compared without case.</summary>
    Task<User?> FindUserByNameAsync(string username, CancellationToken ct);

    /// <summary>
    /// Adds a user: <see cref="UserChange.NameTaken"/> when the username is in use; with
    /// <paramref name="onlyIfFirst"/>, <see cref="UserChange.UsersExist"/> when any user exists.
    /// </summary>
    Task<UserChange> AddUserAsync(User user, bool onlyIfFirst, CancellationToken ct);

    /// <summary>
    /// Saves the user's username, password hash, role and stamp: <see cref="UserChange.NotFound"/>,
    /// <see cref="UserChange.NameTaken"/>, or <see cref="UserChange.LastAdmin"/> when it would demote
    /// the last admin.
    /// </summary>
    Task<UserChange> UpdateUserAsync(User user, CancellationToken ct);

    /// <summary>Deletes a user: <see cref="UserChange.NotFound"/>, or <see cref="UserChange.LastAdmin"/> for the last admin.</summary>
    Task<UserChange> DeleteUserAsync(string id, CancellationToken ct);
}
