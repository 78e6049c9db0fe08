namespace Lifeline.Server.App;

/// <summary>Where to go after signing in: only a path on this server, never another site.</summary>
public static class LocalReturn
{
    public static string Of(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) && !returnUrl.StartsWith("/\\", StringComparison.Ordinal)
            ? returnUrl
            : "/";
}
