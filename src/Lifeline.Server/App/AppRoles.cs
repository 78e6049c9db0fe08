using System.Security.Claims;

namespace Lifeline.Server.App;

/// <summary>The two roles of the app: an admin does everything, a viewer reads and sees no secrets.</summary>
public static class AppRoles
{
    public const string Admin = "admin";
    public const string Viewer = "viewer";

    /// <summary>Policy for pages and actions that change things or show secrets.</summary>
    public const string AdminPolicy = "app-admin";

    public static bool IsValid(string? role) => role is Admin or Viewer;

    public static string Of(ClaimsPrincipal user) => user.IsInRole(Admin) ? Admin : Viewer;
}
