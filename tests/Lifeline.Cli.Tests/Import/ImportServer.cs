using System.CommandLine;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Lifeline.Cli.Commands;
using Lifeline.Server;
using Lifeline.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Lifeline.Cli.Tests.Import;

/// <summary>
/// A real Lifeline server (built by <see cref="ServerHost"/>, SQLite in a temp folder, a manual
/// clock) on a loopback port, for the importers to write into and old clients to ping.
/// </summary>
internal sealed class ImportServer : IAsyncDisposable
{
    public const string AdminKey = "import-test-admin-key-0123456789";

    private readonly WebApplication _app;
    private readonly TempFolder _folder;

    private ImportServer(WebApplication app, TempFolder folder, ManualClock clock, Uri baseUri)
    {
        _app = app;
        _folder = folder;
        Clock = clock;
        BaseUri = baseUri;
        Anonymous = new HttpClient { BaseAddress = baseUri };
        Admin = new HttpClient { BaseAddress = baseUri };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
    }

    public ManualClock Clock { get; }
    public Uri BaseUri { get; }
    public HttpClient Anonymous { get; }
    public HttpClient Admin { get; }

    public static async Task<ImportServer> StartAsync()
    {
        var folder = new TempFolder();
        var clock = new ManualClock();
        var app = ServerHost.Build(
            ["--urls=http://127.0.0.1:0", $"--Lifeline:Data={folder.Path}", $"--LIFELINE_API_KEY={AdminKey}", "--Lifeline:RateLimitLoopback=false",
                // Email channels are refused without SMTP settings; nothing is sent in these tests.
                "--Lifeline:Smtp:Host=127.0.0.1", "--Lifeline:Smtp:Port=2525", "--Lifeline:Smtp:From=lifeline@example.com"],
            services =>
            {
                services.AddSingleton<TimeProvider>(clock);
                services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
            });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ImportServer(app, folder, clock, new Uri(address.TrimEnd('/') + "/"));
    }

    public T Service<T>() where T : notnull => _app.Services.GetRequiredService<T>();

    public async Task<JsonNode> GetJsonAsync(string path)
    {
        using var response = await Admin.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.ShouldBeTrue(text);
        return JsonNode.Parse(text)!;
    }

    public async Task<List<JsonObject>> MonitorsAsync() =>
        [.. ((await GetJsonAsync("api/v1/monitors?limit=500"))["items"]!.AsArray()).Select(m => m!.AsObject())];

    public async Task<List<JsonObject>> ChannelsAsync() =>
        [.. (await GetJsonAsync("api/v1/channels")).AsArray().Select(c => c!.AsObject())];

    public async ValueTask DisposeAsync()
    {
        Anonymous.Dispose();
        Admin.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _folder.Dispose();
    }
}

/// <summary>Runs <c>lifeline import ...</c> in-process with its table and errors captured.</summary>
internal static class ImportRun
{
    public sealed record Outcome(int ExitCode, string Output, string Errors)
    {
        /// <summary>
        /// The table's rows, each as one line of its cells joined by " | ": a cell that wraps
        /// onto more lines is put back together.
        /// </summary>
        public IReadOnlyList<string> Rows
        {
            get
            {
                var rows = new List<List<string>>();
                foreach (var line in Output.Split('\n').Where(l => l.StartsWith('│')))
                {
                    var cells = line.Trim().Trim('│').Split('│').Select(c => c.Trim()).ToList();
                    if (cells[0].Length == 0 && rows.Count > 0)
                    {
                        var last = rows[^1];
                        for (var i = 0; i < cells.Count && i < last.Count; i++)
                        {
                            last[i] = cells[i].Length == 0 ? last[i] : last[i] + " " + cells[i];
                        }
                    }
                    else
                    {
                        rows.Add(cells);
                    }
                }
                return [.. rows.Select(r => string.Join(" | ", r))];
            }
        }

        /// <summary>The one row whose first cell starts with <paramref name="source"/>.</summary>
        public string Row(string source) => Rows.Single(r => r.StartsWith(source, StringComparison.Ordinal));
    }

    public static async Task<Outcome> InvokeAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();
        var root = new RootCommand { ImportCommand.Create(output, errors) };
        var configuration = new InvocationConfiguration { Output = output, Error = errors, ProcessTerminationTimeout = null };
        var code = await root.Parse(["import", .. args]).InvokeAsync(configuration);
        return new Outcome(code, output.ToString(), errors.ToString());
    }

    /// <summary>The same with <c>--apply</c> into <paramref name="server"/>.</summary>
    public static Task<Outcome> ApplyAsync(ImportServer server, params string[] args) =>
        InvokeAsync([.. args, "--apply", "--server", server.BaseUri.ToString(), "--key", ImportServer.AdminKey]);
}
