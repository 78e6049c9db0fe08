using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Lifeline.Testing;

/// <summary>
/// A real PostgreSQL for tests, one per test process. <c>LIFELINE_TEST_POSTGRES</c>, when set, is a
/// connection string to a server where the tests may create databases. Otherwise a throwaway
/// cluster is made with <c>initdb</c> in a temp folder and started with <c>pg_ctl</c> on a free
/// loopback port (as the <c>postgres</c> user when the tests run as root, since PostgreSQL refuses
/// to run as root), and stopped (<c>pg_ctl stop -m immediate</c>) when the process exits. Without
/// PostgreSQL binaries it throws, so the tests that need it fail with a message saying what to install.
/// </summary>
public sealed class PostgresServer
{
    /// <summary>The environment variable naming an existing server to use instead of a throwaway one.</summary>
    public const string Variable = "LIFELINE_TEST_POSTGRES";

    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly string _adminConnectionString;

    private PostgresServer(string adminConnectionString) => _adminConnectionString = adminConnectionString;

    /// <summary>The server of this test process, started on first use.</summary>
    public static Task<PostgresServer> GetAsync() => Shared.Value;

    /// <summary>A login role that must give <see cref="PasswordRolePassword"/>, for tests of refused credentials.</summary>
    public const string PasswordRole = "lifeline_password_role";

    /// <summary>The right password of <see cref="PasswordRole"/>.</summary>
    public const string PasswordRolePassword = "Right-Password-4711";

    /// <summary>A connection string to the <c>postgres</c> database as <paramref name="username"/> with <paramref name="password"/>.</summary>
    public string ConnectionStringAs(string username, string password) =>
        new NpgsqlConnectionStringBuilder(_adminConnectionString) { Username = username, Password = password }.ConnectionString;

    /// <summary>Creates an empty database of its own for one test; dropped when disposed.</summary>
    public async Task<PostgresDatabase> CreateDatabaseAsync()
    {
        var name = "lifeline_test_" + Guid.NewGuid().ToString("N")[..16];
        await ExecuteAsync($"CREATE DATABASE {name}");
        var builder = new NpgsqlConnectionStringBuilder(_adminConnectionString)
        {
            Database = name,
            Pooling = true,
            // Tests run side by side: keep each one's share of the server's connections small.
            MaxPoolSize = 20,
        };
        return new PostgresDatabase(this, name, builder.ConnectionString);
    }

    internal async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<PostgresServer> StartAsync()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } given)
        {
            return new PostgresServer(new NpgsqlConnectionStringBuilder(given) { Pooling = false }.ConnectionString);
        }
        var bin = FindBinaries() ?? throw new InvalidOperationException(
            $"These tests need PostgreSQL, and no initdb was found on PATH or in /usr/lib/postgresql/*/bin. " +
            $"Install it (Debian: apt-get install postgresql) or set {Variable} to a connection string of a server where databases may be created.");
        var folder = Path.Combine(Path.GetTempPath(), "lifeline-pg-" + Guid.NewGuid().ToString("N")[..12]);
        var data = Path.Combine(folder, "data");
        Directory.CreateDirectory(folder);
        var asRoot = string.Equals(Environment.UserName, "root", StringComparison.Ordinal);
        if (asRoot)
        {
            // PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
            await RunAsync("chown", ["postgres:", folder], asPostgres: false);
        }
        StopWhenThisProcessEnds(bin, folder, data, asRoot);
        await RunAsync(Path.Combine(bin, "initdb"),
            ["-D", data, "-U", "lifeline", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"], asRoot);
        var port = FreePort();
        var settings = string.Join(' ',
            "-c listen_addresses=127.0.0.1",
            $"-p {port.ToString(CultureInfo.InvariantCulture)}",
            $"-k {folder}",
            // A throwaway cluster: nothing needs to survive a power cut.
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            "-c max_connections=300 -c shared_buffers=32MB");
        // The trust rules initdb writes would take any password: one role must give the right one.
        var hba = Path.Combine(data, "pg_hba.conf");
        await File.WriteAllTextAsync(hba, $"host all {PasswordRole} 127.0.0.1/32 scram-sha-256\n" + await File.ReadAllTextAsync(hba));
        await RunAsync(Path.Combine(bin, "pg_ctl"), ["start", "-D", data, "-w", "-t", "120", "-l", Path.Combine(folder, "server.log"), "-o", settings], asRoot);
        var connectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = "lifeline",
            Database = "postgres",
            Pooling = false,
        }.ConnectionString;
        var server = new PostgresServer(connectionString);
        await server.ExecuteAsync($"CREATE ROLE {PasswordRole} LOGIN PASSWORD '{PasswordRolePassword}'");
        return server;
    }

    /// <summary>
    /// Starts a watchdog that stops the cluster and deletes its folder once this process is gone,
    /// however it ends: the test host may be killed right after the last test, before any exit
    /// handler finishes.
    /// </summary>
    private static void StopWhenThisProcessEnds(string bin, string folder, string data, bool asRoot)
    {
        var script =
            "exec </dev/null >/dev/null 2>&1; " +
            $"while [ -e /proc/{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)} ]; do sleep 0.5; done; " +
            $"'{Path.Combine(bin, "pg_ctl")}' stop -D '{data}' -m immediate -w; rm -rf '{folder}'";
        var start = new ProcessStartInfo { FileName = "setsid", WorkingDirectory = Path.GetTempPath(), UseShellExecute = false };
        foreach (var part in (asRoot ? new[] { "runuser", "-u", "postgres", "--" } : []).Concat(["sh", "-c", script]))
        {
            start.ArgumentList.Add(part);
        }
        using var watchdog = Process.Start(start) ?? throw new InvalidOperationException("could not start the PostgreSQL watchdog");
    }

    /// <summary>The folder holding initdb and pg_ctl: on PATH first, then Debian's versioned folders, newest first.</summary>
    private static string? FindBinaries()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(dir => Runnable(Path.Combine(dir, "initdb")));
        if (onPath is not null)
        {
            return onPath;
        }
        const string Debian = "/usr/lib/postgresql";
        if (!Directory.Exists(Debian))
        {
            return null;
        }
        return Directory.GetDirectories(Debian)
            .Select(dir => Path.Combine(dir, "bin"))
            .Where(dir => Runnable(Path.Combine(dir, "initdb")))
            .OrderByDescending(dir => int.TryParse(Path.GetFileName(Path.GetDirectoryName(dir)), out var version) ? version : 0)
            .FirstOrDefault();
    }

    /// <summary>Whether the file is there, following links: a link left by a removed package does not count.</summary>
    private static bool Runnable(string path)
    {
        var file = new FileInfo(path);
        return file.LinkTarget is null ? file.Exists : file.ResolveLinkTarget(returnFinalTarget: true)?.Exists == true;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string file, IReadOnlyList<string> arguments, bool asPostgres)
    {
        var start = new ProcessStartInfo
        {
            FileName = asPostgres ? "runuser" : file,
            // The test folder may be closed to the postgres user (a checkout under /root).
            WorkingDirectory = Path.GetTempPath(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asPostgres)
        {
            foreach (var part in new[] { "-u", "postgres", "--", file })
            {
                start.ArgumentList.Add(part);
            }
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        // pg_ctl leaves the server holding its own output: read until exit, not until end of stream.
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await errors}{await output}");
        }
    }
}
