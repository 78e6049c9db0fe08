using Lifeline.Server.App.Forms;
using Lifeline.Server.App.Layout;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Lifeline.Server.App;

/// <summary>
/// The web app: Razor components rendered on the server (no Blazor script, no Node.js), signed in
/// with a session cookie, forms protected by antiforgery tokens.
/// </summary>
public static class AppSetup
{
    public const string SessionCookie = "lifeline.session";

    public static IServiceCollection AddApp(this IServiceCollection services)
    {
        services.AddRazorComponents();
        services.AddCascadingAuthenticationState();
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(cookie =>
            {
                cookie.Cookie.Name = SessionCookie;
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.LoginPath = "/login";
                cookie.LogoutPath = "/logout";
                cookie.AccessDeniedPath = "/denied";
                cookie.ExpireTimeSpan = TimeSpan.FromDays(14);
                cookie.SlidingExpiration = true;
                // Each request's session is checked against its user; with no user yet, sign-in is /setup.
                cookie.EventsType = typeof(SessionEvents);
            });
        services.AddSingleton<SessionEvents>();
        services.AddAuthorizationBuilder()
            .AddPolicy(AppRoles.AdminPolicy, policy => policy.RequireRole(AppRoles.Admin));
        services.AddAntiforgery(antiforgery => antiforgery.Cookie.Name = "lifeline.antiforgery");
        // Cookie and antiforgery keys live in the store: sessions survive restarts and cross nodes.
        services.AddDataProtection().SetApplicationName("lifeline");
        services.AddSingleton<Monitors.LiveFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<Monitors.LiveFeed>());
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp =>
            new ConfigureOptions<KeyManagementOptions>(options => options.XmlRepository = new StoreKeyRing(sp.GetRequiredService<ISettingsStore>())));
        return services;
    }

    /// <summary>Sign-in, authorization and antiforgery, after routing. Push paths skip them all.</summary>
    public static WebApplication UseApp(this WebApplication app)
    {
        app.UseWhen(context => !IsPush(context.Request.Path), branch => branch.UseAuthentication());
        app.UseAuthorization();
        app.UseAntiforgery();
        return app;
    }

    public static IEndpointRouteBuilder MapApp(this IEndpointRouteBuilder app)
    {
        app.MapAppAssets();
        app.MapPost("/logout", async (HttpContext context, IAntiforgery antiforgery) =>
        {
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                return Forms.FormPosts.Expired();
            }
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect("/login");
        }).DisableAntiforgery();
        Monitors.LiveFeed.MapLiveFeed(app);
        app.MapFormActions();
        app.MapRazorComponents<App>();
        return app;
    }

    private static bool IsPush(PathString path) =>
        path.StartsWithSegments("/api/push") || path.StartsWithSegments("/ping");
}
