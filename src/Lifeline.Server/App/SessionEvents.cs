using System.Security.Claims;
using Lifeline.Server.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Lifeline.Server.App;

/// <summary>
/// The session cookie's events: every request's session is checked against its user
/// (<see cref="SessionCheck"/>), and while no user exists the sign-in page is first-run setup.
/// </summary>
internal sealed class SessionEvents(SessionCheck check, UserAccounts accounts) : CookieAuthenticationEvents
{
    /// <summary>The claim carrying the user's security stamp at sign-in.</summary>
    public const string StampClaim = "lifeline.stamp";

    public static ClaimsPrincipal Principal(User user) => new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, user.Id),
            new Claim(ClaimTypes.Name, user.Username),
            new Claim(ClaimTypes.Role, user.Role),
            new Claim(StampClaim, user.SecurityStamp),
        ],
        CookieAuthenticationDefaults.AuthenticationScheme));

    public override async Task ValidatePrincipal(CookieValidatePrincipalContext context)
    {
        var id = context.Principal?.FindFirstValue(ClaimTypes.NameIdentifier);
        var stamp = context.Principal?.FindFirstValue(StampClaim);
        var user = id is null || stamp is null ? null : await check.CurrentAsync(id, stamp, context.HttpContext.RequestAborted);
        if (user is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
    }

    public override async Task RedirectToLogin(RedirectContext<CookieAuthenticationOptions> context)
    {
        if (!await accounts.AnyUserAsync(context.HttpContext.RequestAborted))
        {
            context.Response.Redirect("/setup");
            return;
        }
        await base.RedirectToLogin(context);
    }
}
