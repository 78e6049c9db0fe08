using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Lifeline.Server.App.Forms;

/// <summary>The app's plain form posts (buttons outside Razor forms), checked the same way everywhere.</summary>
public static class FormPosts
{
    /// <summary>What a post with a missing or stale antiforgery token gets.</summary>
    public static IResult Expired() =>
        Results.BadRequest(new { error = "the form has expired; reload the page and try again" });

    /// <summary>
    /// A group of admin-only form posts under <paramref name="prefix"/>: each is refused with
    /// <see cref="Expired"/> unless its antiforgery token is valid, before its handler runs.
    /// </summary>
    public static RouteGroupBuilder MapAdminFormPosts(this IEndpointRouteBuilder app, string prefix)
    {
        var group = app.MapGroup(prefix).RequireAuthorization(AppRoles.AdminPolicy).DisableAntiforgery();
        group.AddEndpointFilter(async (invocation, next) =>
        {
            var context = invocation.HttpContext;
            var antiforgery = context.RequestServices.GetService(typeof(IAntiforgery)) as IAntiforgery;
            return antiforgery is not null && await antiforgery.IsRequestValidAsync(context) ? await next(invocation) : Expired();
        });
        return group;
    }
}
