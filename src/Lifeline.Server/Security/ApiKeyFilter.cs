using Microsoft.AspNetCore.Http;

namespace Lifeline.Server.Security;

/// <summary>Every admin route needs a key: none or a wrong one is 401, a read-only key writing is 403.</summary>
internal sealed class ApiKeyFilter(ApiKeyGate gate) : IEndpointFilter
{
    /// <summary>Where the request's <see cref="Access"/> is kept in <c>HttpContext.Items</c>.</summary>
    public const string AccessItem = "lifeline.access";

    /// <summary>True when the request came with a read-only key.</summary>
    public static bool IsReadOnly(HttpContext context) => context.Items[AccessItem] is Access.ReadOnly;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        var access = gate.Check(request);
        if (access == Access.None)
        {
            context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return TypedResults.Json(new { error = "missing or invalid API key: send Authorization: Bearer <key>" }, statusCode: StatusCodes.Status401Unauthorized);
        }
        context.HttpContext.Items[AccessItem] = access;
        if (access == Access.ReadOnly && !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)))
        {
            return TypedResults.Json(new { error = "this API key is read-only" }, statusCode: StatusCodes.Status403Forbidden);
        }
        return await next(context);
    }
}
