namespace Lifeline.Core;

/// <summary>What became of a change to the users.</summary>
public enum UserChange
{
    Done,
    /// <summary>No user has that id.</summary>
    NotFound,
    /// <summary>Another user already has that username (compared without case).</summary>
    NameTaken,
    /// <summary>The change would leave no admin.</summary>
    LastAdmin,
    /// <summary>Only the first user was to be added, and a user exists.</summary>
    UsersExist,
}
