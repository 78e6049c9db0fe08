namespace Lifeline.Core;

/// <summary>
/// A person who signs in to the web app. Only a hash of the password is kept (its format belongs to
/// the server). <see cref="SecurityStamp"/> changes whenever the password or the role does, which
/// ends the sessions signed in before.
/// </summary>
public sealed record User(string Id, string Username, string PasswordHash, string Role, string SecurityStamp, DateTimeOffset CreatedAt)
{
    /// <summary>Sees and changes everything.</summary>
    public const string Admin = "admin";

    /// <summary>Reads everything but secrets; changes nothing.</summary>
    public const string Viewer = "viewer";

    /// <summary>The form usernames are compared in: two usernames differing only in case are one.</summary>
    public string Key => KeyOf(Username);

    public static string KeyOf(string username)
    {
        ArgumentNullException.ThrowIfNull(username);
        return username.ToUpperInvariant();
    }

    public bool IsAdmin => Role == Admin;

    /// <summary>A fresh random stamp, for a new user or a changed password or role.</summary>
    public static string NewStamp() => Secrets.NewPingKey();
}
