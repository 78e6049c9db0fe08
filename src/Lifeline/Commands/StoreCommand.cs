using System.CommandLine;
using System.Globalization;
using Lifeline.Storage.Copy;
using System.Data.Common;
using System.Net.Sockets;

namespace Lifeline.Cli.Commands;

/// <summary>
/// <c>lifeline store copy --data &lt;dir&gt; --postgres &lt;connection string&gt;</c>: copies a
/// SQLite store into PostgreSQL (<see cref="StoreCopy"/>), with progress.
/// <list type="table">
///   <listheader><term>exit code</term><description>meaning</description></listheader>
///   <item><term>0</term><description>everything copied (or already there)</description></item>
///   <item><term>1</term><description>invalid arguments, or the copy failed part way (what was copied stays; run again)</description></item>
///   <item><term>2</term><description>refused: no store in the folder, a server holds the folder, PostgreSQL unreachable or refusing the credentials</description></item>
/// </list>
/// </summary>
internal static class StoreCommand
{
    public const int Copied = 0;
    public const int Failed = 1;
    public const int Refused = 2;

    /// <summary>Least time between two progress lines of one table.</summary>
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(1);

    public static Command Create() => new("store", "Work on a whole store (copy a SQLite store into PostgreSQL).")
    {
        CreateCopy(),
    };

    private static Command CreateCopy()
    {
        var data = new Option<string>("--data")
        {
            Description = "The data folder of the SQLite store, holding lifeline.db",
            DefaultValueFactory = _ => "./data",
            HelpName = "dir",
        };
        var postgres = new Option<string?>("--postgres")
        {
            Description = "PostgreSQL connection string to copy into (or env LIFELINE_POSTGRES)",
            HelpName = "connection string",
        };
        var command = new Command("copy", """
            Copy a SQLite store (<data>/lifeline.db) into PostgreSQL: monitors with their push tokens and
            state, their events and incidents, channels, notices (pending ones and sent ones, with the same
            webhook-id), deliveries, API keys, settings such as the ping key, and check history.

            Stop the server first: the data folder is locked while copying (a running server is refused,
            and none can start until the copy ends). The PostgreSQL schema is created or updated as
            `lifeline serve --postgres` would. Start the servers on PostgreSQL once the copy has finished.

            Run it again at any time: a row PostgreSQL already has (same id) is left as it is there, even
            when it differs (the summary counts those), so a second run adds nothing, and a copy that
            stopped half way goes on where it stopped. The password is never printed.

            Exit codes: 0 copied, 1 failed part way (what was copied stays; run again), 2 refused (no store
            in the folder, folder in use by a server, PostgreSQL unreachable or refusing the credentials).

            Examples:
              lifeline store copy --data /var/lib/lifeline --postgres "Host=db;Database=lifeline;Username=lifeline;Password=secret"
              LIFELINE_POSTGRES="Host=db;Database=lifeline;Username=lifeline" lifeline store copy --data ./data
            """)
        {
            data, postgres,
        };
        command.SetAction((result, ct) => CopyAsync(
            result.GetValue(data)!, result.GetValue(postgres) ?? Environment.GetEnvironmentVariable("LIFELINE_POSTGRES"), ct));
        return command;
    }

    private static async Task<int> CopyAsync(string data, string? postgres, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(postgres))
        {
            await Console.Error.WriteLineAsync("lifeline: --postgres (or LIFELINE_POSTGRES) is required: the PostgreSQL connection string to copy into");
            return Refused;
        }
        StoreCopy copy;
        try
        {
            copy = await StoreCopy.OpenAsync(data, postgres, TimeProvider.System, ct);
        }
        catch (StoreStartException ex)
        {
            await Console.Error.WriteLineAsync($"lifeline: {ex.Message}");
            return Refused;
        }
        await using (copy)
        {
            Console.WriteLine($"Copying {copy.Source} into {copy.Target}, keeping {copy.Ring.ToString(CultureInfo.InvariantCulture)} events per monitor");
            var started = TimeProvider.System.GetTimestamp();
            var progress = new ProgressLines();
            try
            {
                var tables = await copy.CopyAsync(progress.Show, table =>
                {
                    progress.Finish();
                    Console.WriteLine(Describe(table));
                }, ct);
                var added = tables.Sum(t => t.Added);
                var there = tables.Sum(t => t.AlreadyThere);
                var differing = tables.Sum(t => t.Differing);
                var seconds = TimeProvider.System.GetElapsedTime(started).TotalSeconds;
                Console.WriteLine(
                    $"Done in {seconds.ToString("0.0", CultureInfo.InvariantCulture)} s: {Count(added)} new rows, {Count(there)} already in PostgreSQL" +
                    (differing > 0 ? $" ({Count(differing)} of them differ and were left as PostgreSQL has them)." : "."));
                return Copied;
            }
            catch (Exception ex) when (ex is DbException or SocketException or TimeoutException or IOException
                or InvalidOperationException or NotSupportedException or OperationCanceledException)
            {
                // A lost connection, a full disk, Ctrl+C: every committed batch stays, and a new run skips it.
                progress.Finish();
                var why = ex is OperationCanceledException ? "stopped" : ex.Message;
                await Console.Error.WriteLineAsync($"lifeline: the copy did not finish: {why}. What was copied stays in PostgreSQL; run the same command again to go on.");
                return Failed;
            }
        }
    }

    private static string Describe(TableCopied table)
    {
        var name = $"  {table.Table,-15}";
        if (!table.InSource)
        {
            return name + "not in this store";
        }
        var line = $"{name}{Count(table.Rows)} rows: {Count(table.Added)} new";
        if (table.AlreadyThere > 0)
        {
            line += $", {Count(table.AlreadyThere)} already there";
            if (table.Differing > 0)
            {
                line += $" ({Count(table.Differing)} differ, left as in PostgreSQL)";
            }
        }
        if (table.LeftOut.Count > 0)
        {
            line += $"; not in PostgreSQL, so not copied: {string.Join(", ", table.LeftOut)}";
        }
        return line;
    }

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>
    /// The live count while a table is copied: on a terminal one line rewritten in place, otherwise
    /// a line at most every <see cref="ProgressEvery"/>.
    /// </summary>
    private sealed class ProgressLines
    {
        private readonly bool _terminal = !Console.IsOutputRedirected;
        private long _last = TimeProvider.System.GetTimestamp();
        private bool _open;

        public void Show(CopyProgress p)
        {
            var finished = p.Done >= p.Total;
            if (!finished && TimeProvider.System.GetElapsedTime(_last) < ProgressEvery)
            {
                return;
            }
            _last = TimeProvider.System.GetTimestamp();
            var line = $"  {p.Table,-15}{Count(p.Done)} of {Count(p.Total)} rows ({Count(p.Added)} new)";
            if (_terminal)
            {
                Console.Write("\r" + line.PadRight(Console.BufferWidth > 1 ? Math.Min(Console.BufferWidth - 1, 100) : 0));
                _open = true;
            }
            else if (!finished)
            {
                Console.WriteLine(line);
            }
        }

        /// <summary>Clears the live line, so the summary starts on a line of its own.</summary>
        public void Finish()
        {
            if (_open)
            {
                Console.Write("\r" + new string(' ', Console.BufferWidth > 1 ? Math.Min(Console.BufferWidth - 1, 100) : 0) + "\r");
                _open = false;
            }
        }
    }
}
