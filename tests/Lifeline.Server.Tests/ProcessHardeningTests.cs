using System.Text.RegularExpressions;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Lifeline.Testing;

namespace Lifeline.Server.Tests;

/// <summary>The real lifeline process against hostile conditions: idle sockets, a second process, a full disk, a damaged file.</summary>
public sealed class ProcessHardeningTests : IAsyncLifetime
{
    private readonly TempFolder _temp = new();
    private readonly string _data;

    public ProcessHardeningTests()
    {
        _data = _temp.Path;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _temp.Dispose();
        return Task.CompletedTask;
    }

    private static async Task<string> CreatePushMonitorAsync(HttpClient admin, string name = "backup")
    {
        using var response = await admin.PostAsJsonAsync("api/v1/monitors", new { name, period = 3600 });
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["pushToken"]!.GetValue<string>();
    }

    private static async Task<HttpStatusCode?> TryGetStatusAsync(HttpClient client, string path)
    {
        try
        {
            using var response = await client.GetAsync(path);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException)
        {
            return null;
        }
    }

    [Fact]
    public async Task Hundreds_of_idle_connections_under_a_low_descriptor_limit_are_shed_and_the_server_keeps_answering()
    {
        var launch = new LifelineProcess.Launch(FdLimit: 512, Environment: new Dictionary<string, string>
        {
            ["Lifeline__KeepAliveTimeoutSeconds"] = "2",
            ["Lifeline__RequestHeadersTimeoutSeconds"] = "2",
        });
        await using var server = await LifelineProcess.StartAsync(_data, launch);
        var token = await CreatePushMonitorAsync(server.Admin);

        // 700 connections that never send a byte: more than the server has descriptors for.
        var sockets = new List<TcpClient>();
        try
        {
            var opened = await Task.WhenAll(Enumerable.Range(0, 700).Select(async _ =>
            {
                var socket = new TcpClient();
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                try
                {
                    await socket.ConnectAsync(IPAddress.Loopback, server.BaseUri.Port, cts.Token);
                }
                catch (Exception ex) when (ex is SocketException or OperationCanceledException)
                {
                    // Refused or still waiting in the backlog: either way the server is not hurt by it.
                }
                return socket;
            }));
            sockets.AddRange(opened);
            sockets.Count(s => s.Connected).ShouldBeGreaterThan(512);

            using var client = new HttpClient { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromSeconds(2) };
            var health = await Eventually.GetAsync(async () =>
            {
                if (!server.IsRunning)
                {
                    throw new InvalidOperationException($"lifeline exited with {server.ExitCode}:\n{server.Output}");
                }
                return await TryGetStatusAsync(client, "healthz");
            }, status => status == HttpStatusCode.OK, TimeSpan.FromSeconds(15));
            using var push = await client.PostAsync($"api/push/{token}", null);

            health.ShouldBe(HttpStatusCode.OK);
            push.StatusCode.ShouldBe(HttpStatusCode.OK);
            server.IsRunning.ShouldBeTrue(server.Output);
            server.Output.ShouldContain("connections at most");
        }
        finally
        {
            foreach (var socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_second_server_on_a_data_folder_in_use_is_refused_with_exit_code_2_naming_the_folder()
    {
        await using var first = await LifelineProcess.StartAsync(_data);

        var (code, output) = await LifelineProcess.RunToExitAsync(_data, TimeSpan.FromSeconds(30));

        code.ShouldBe(2, output);
        output.ShouldNotContain("   at ", customMessage: "a refusal at start is a plain message, not a stack trace");
        output.ShouldContain(Path.GetFullPath(_data));
        output.ShouldContain("in use by another lifeline process");
        first.IsRunning.ShouldBeTrue();
        using var health = await first.Anonymous.GetAsync("healthz");
        health.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_data_folder_is_free_again_once_its_server_is_killed_hard()
    {
        await using (var first = await LifelineProcess.StartAsync(_data))
        {
            await first.KillHardAsync();
        }

        await using var second = await LifelineProcess.StartAsync(_data);

        second.IsRunning.ShouldBeTrue();
    }

    [Fact]
    public async Task On_a_full_disk_pushes_and_health_answer_503_and_both_recover_by_themselves_when_space_returns()
    {
        var mount = Path.Combine(_data, "disk");
        Directory.CreateDirectory(mount);
        var mounted = await RunAsync("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mount);
        mounted.Code.ShouldBe(0, $"this test needs a small tmpfs for the data folder (run as root): mount said {mounted.Output}");
        try
        {
            // The server starts with 1 MiB left: enough for its database, too little for the ping
            // log's first step (4 MiB), so nothing can have made room for routine pings ahead.
            var filler = Path.Combine(mount, "filler");
            FillDisk(filler, leave: 1 << 20);
            var data = Path.Combine(mount, "data");
            await using var server = await LifelineProcess.StartAsync(data);
            var token = await CreatePushMonitorAsync(server.Admin);
            // The first push changes the monitor's status: a database write. Routine pings after
            // it need the ping log to grow.
            using var first = await server.Anonymous.PostAsync($"api/push/{token}", null);
            first.StatusCode.ShouldBe(HttpStatusCode.OK);
            FillDisk(filler, leave: 0);

            using var push = await server.Anonymous.PostAsync($"api/push/{token}", null);
            var pushBody = await push.Content.ReadAsStringAsync();
            // More pushes while the disk is full: the outage is logged once, not once a push.
            for (var i = 0; i < 20; i++)
            {
                using var more = await server.Anonymous.PostAsync($"api/push/{token}", null);
                more.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, $"push {i}: {await more.Content.ReadAsStringAsync()}\n{server.Output}");
            }
            var logged = server.Output;
            var failing = await Eventually.GetAsync(async () =>
            {
                using var r = await server.Anonymous.GetAsync("healthz");
                return (r.StatusCode, Body: await r.Content.ReadAsStringAsync());
            }, h => h.StatusCode == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(10));

            File.Delete(filler);
            var recovered = await Eventually.GetAsync(() => TryGetStatusAsync(server.Anonymous, "healthz"), s => s == HttpStatusCode.OK, TimeSpan.FromSeconds(15));
            using var pushAfter = await server.Anonymous.PostAsync($"api/push/{token}", null);

            push.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, pushBody);
            pushBody.ShouldContain("storage");
            pushBody.ShouldNotContain("   at ");
            failing.Body.ShouldContain("\"status\":\"fail\"");
            failing.Body.ShouldContain("space");
            recovered.ShouldBe(HttpStatusCode.OK);
            pushAfter.StatusCode.ShouldBe(HttpStatusCode.OK);
            server.IsRunning.ShouldBeTrue();
            Regex.Count(logged, @"^fail: ", RegexOptions.Multiline).ShouldBe(1, logged);
        }
        finally
        {
            await RunAsync("umount", "-l", mount);
        }
    }

    [Fact]
    public async Task A_zero_length_database_is_refused_with_exit_code_2_and_left_as_it_is()
    {
        var database = Path.Combine(_data, "lifeline.db");
        await File.WriteAllBytesAsync(database, []);

        var (code, output) = await LifelineProcess.RunToExitAsync(_data, TimeSpan.FromSeconds(30));

        code.ShouldBe(2, output);
        output.ShouldNotContain("   at ", customMessage: "a refusal at start is a plain message, not a stack trace");
        output.ShouldContain(Path.GetFullPath(database));
        output.ShouldContain("empty");
        new FileInfo(database).Length.ShouldBe(0);
    }

    [Fact]
    public async Task A_database_with_a_damaged_page_is_refused_with_exit_code_2()
    {
        await using (var server = await LifelineProcess.StartAsync(_data))
        {
            for (var i = 0; i < 40; i++)
            {
                await CreatePushMonitorAsync(server.Admin, $"m{i}");
            }
            await server.StopAsync();
            server.ExitCode.ShouldBe(0);
        }
        var database = Path.Combine(_data, "lifeline.db");
        File.Exists(database + "-wal").ShouldBeFalse("a clean stop leaves everything in the database file");
        await using (var file = new FileStream(database, FileMode.Open, FileAccess.ReadWrite))
        {
            // Page 3 (pages are 1 KiB) overwritten with garbage, as a bad disk block would be.
            file.Position = 2 * 1024;
            await file.WriteAsync(Enumerable.Repeat((byte)0xA5, 1024).ToArray());
        }

        var (code, output) = await LifelineProcess.RunToExitAsync(_data, TimeSpan.FromSeconds(30));

        code.ShouldBe(2, output);
        output.ShouldNotContain("   at ", customMessage: "a refusal at start is a plain message, not a stack trace");
        output.ShouldContain(Path.GetFullPath(database));
        output.ShouldContain("damaged");
    }

    /// <summary>Adds to <paramref name="path"/> until the disk has no more than <paramref name="leave"/> bytes free.</summary>
    private static void FillDisk(string path, long leave)
    {
        var disk = new DriveInfo(Path.GetDirectoryName(path)!);
        var chunk = new byte[64 << 10];
        using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.None, 1, FileOptions.None);
        try
        {
            long room;
            while ((room = disk.AvailableFreeSpace - leave) > 0)
            {
                file.Write(chunk, 0, (int)Math.Min(chunk.Length, room));
            }
        }
        catch (IOException)
        {
            // Full.
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string command, params string[] args)
    {
        var info = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        try
        {
            using var process = Process.Start(info)!;
            var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return (-1, ex.Message);
        }
    }
}
