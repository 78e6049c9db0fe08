// The baseline for the push benchmark: Kestrel answering Lifeline's push route with the same
// JSON and nothing else (no lookup, no storage). Lifeline's throughput is quoted against this.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();
var ok = "{\"ok\":true,\"message\":\"OK\"}"u8.ToArray();
app.MapMethods("/api/push/{token}", ["GET", "POST"], async (HttpContext context, string token) =>
{
    context.Response.ContentType = "application/json; charset=utf-8";
    await context.Response.Body.WriteAsync(ok);
});
app.Run();
