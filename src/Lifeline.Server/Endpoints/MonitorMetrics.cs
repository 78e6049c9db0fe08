using System.Globalization;
using System.Text;

namespace Lifeline.Server.Endpoints;

/// <summary>
/// The per-monitor series of <c>/metrics</c>, each labelled with the monitor's <c>id</c>, <c>name</c>
/// and <c>kind</c>. Monitors are read a page at a time with their newest events, so memory stays
/// flat with a million monitors; the text format wants each metric's samples together, so the
/// first family goes straight to the answer and the others wait in spools (in memory for small
/// installs, in temporary files past <see cref="SpoolInMemoryUpTo"/> monitors) until it is done.
/// </summary>
internal static class MonitorMetrics
{
    /// <summary>Monitors read per store query.</summary>
    public const int PageSize = 1000;

    /// <summary>Newest events read per monitor to find its last response time and certificate expiry.</summary>
    public const int EventsPerMonitor = 3;

    /// <summary>Up to this many monitors the spools stay in memory (about 1 KB per monitor); past it they go to temporary files.</summary>
    public const int SpoolInMemoryUpTo = 20_000;

    private sealed record Family(string Name, string Help, Func<Monitor, Facts, double?> Value, string? StatusLabel = null);

    private readonly record struct Facts(DateTimeOffset Now, long? ResponseMs, DateTimeOffset? CertificateExpiresAt);

    private static readonly Family[] Families =
    [
        new("lifeline_monitor_up",
            "1 while the monitor is up (late counts as up until its grace ends), 0 when it is down; no sample while it is new or paused.",
            (m, _) => m.Status switch { MonitorStatus.New or MonitorStatus.Paused => null, MonitorStatus.Down => 0, _ => 1 }),
        new("lifeline_monitor_status",
            "The monitor's state numbered as Uptime Kuma's monitor_status (1 up, 0 down, 2 pending: new or late, 3 paused); the status label names it.",
            (m, _) => m.Status switch { MonitorStatus.Up or MonitorStatus.Degraded => 1, MonitorStatus.Down => 0, MonitorStatus.Paused => 3, _ => 2 },
            StatusLabel: "status"),
        new("lifeline_monitor_response_time_seconds",
            "Duration of the monitor's last check, or the ping its last push reported, in seconds.",
            (_, f) => f.ResponseMs / 1000.0),
        new("lifeline_monitor_certificate_expiry_timestamp_seconds",
            "Unix time at which the earliest-expiring certificate of the chain seen by the last checks expires.",
            (_, f) => f.CertificateExpiresAt?.ToUnixTimeMilliseconds() / 1000.0),
        new("lifeline_monitor_last_signal_age_seconds",
            "Seconds since the monitor's last signal (push, ping or check); no sample before the first.",
            (m, f) => m.LastSignalAt is { } at ? Math.Max(0, (f.Now - at).TotalSeconds) : null),
    ];

    /// <summary>Writes every family; <paramref name="monitorCount"/> (from the status counts) picks memory or file spools.</summary>
    public static async Task WriteAsync(StreamWriter answer, IMonitorStore store, IMonitorOverviewStore overview, DateTimeOffset now, int monitorCount, CancellationToken ct, int spoolInMemoryUpTo = SpoolInMemoryUpTo)
    {
        var spools = Families.Skip(1).Select(_ => Spool.Open(monitorCount > spoolInMemoryUpTo)).ToList();
        try
        {
            var writers = new List<StreamWriter> { answer };
            writers.AddRange(spools.Select(s => s.Writer));
            for (var i = 0; i < Families.Length; i++)
            {
                await Header(writers[i], Families[i].Name, Families[i].Help);
            }
            string? cursor = null;
            do
            {
                var page = await store.ListAsync(new MonitorQuery { Limit = PageSize, Cursor = cursor }, ct);
                cursor = page.NextCursor;
                var events = await overview.RecentEventsAsync([.. page.Items.Select(m => m.Id)], EventsPerMonitor, ct);
                foreach (var monitor in page.Items)
                {
                    var recent = events.TryGetValue(monitor.Id, out var list) ? list : [];
                    var facts = new Facts(now, ResponseMs(recent), recent.FirstOrDefault(e => e.CertificateExpiresAt is not null)?.CertificateExpiresAt);
                    for (var i = 0; i < Families.Length; i++)
                    {
                        if (Families[i].Value(monitor, facts) is { } value)
                        {
                            await Sample(writers[i], Families[i], monitor, value);
                        }
                    }
                }
            }
            while (cursor is not null);
            foreach (var spool in spools)
            {
                await spool.Writer.FlushAsync(ct);
                await answer.FlushAsync(ct);
                spool.Stream.Position = 0;
                await spool.Stream.CopyToAsync(answer.BaseStream, ct);
            }
        }
        finally
        {
            foreach (var spool in spools)
            {
                await spool.Writer.DisposeAsync();
            }
        }
    }

    /// <summary>The newest response time among the events: a check's duration, or a push's ping.</summary>
    private static long? ResponseMs(IReadOnlyList<MonitorEvent> newestFirst)
    {
        foreach (var e in newestFirst)
        {
            if (e.Type == SignalKind.Check && !e.Unknown && e.DurationMs is { } ms)
            {
                return ms;
            }
            if (e.Type != SignalKind.Check && e.Ping is { } ping)
            {
                return (long)Math.Round(ping);
            }
        }
        return null;
    }

    public static async Task Header(StreamWriter writer, string name, string help)
    {
        await writer.WriteAsync("# HELP ");
        await writer.WriteAsync(name);
        await writer.WriteAsync(' ');
        await writer.WriteAsync(EscapeHelp(help));
        await writer.WriteAsync("\n# TYPE ");
        await writer.WriteAsync(name);
        await writer.WriteAsync(" gauge\n");
    }

    private static async Task Sample(StreamWriter writer, Family family, Monitor monitor, double value)
    {
        var line = new StringBuilder(family.Name.Length + monitor.Id.Length + monitor.Name.Length + 48);
        line.Append(family.Name).Append("{id=\"");
        AppendLabelValue(line, monitor.Id);
        line.Append("\",name=\"");
        AppendLabelValue(line, monitor.Name);
        line.Append("\",kind=\"").Append(WireNames.Of(monitor.Kind));
        if (family.StatusLabel is { } label)
        {
            line.Append("\",").Append(label).Append("=\"").Append(WireNames.Of(monitor.Status));
        }
        line.Append("\"} ").Append(FormatValue(value)).Append('\n');
        await writer.WriteAsync(line);
    }

    /// <summary>A label value as the text format wants it: backslash, double quote and line feed escaped.</summary>
    public static void AppendLabelValue(StringBuilder line, string value)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\':
                    line.Append(@"\\");
                    break;
                case '"':
                    line.Append("\\\"");
                    break;
                case '\n':
                    line.Append(@"\n");
                    break;
                default:
                    line.Append(c);
                    break;
            }
        }
    }

    /// <summary>HELP text: backslash and line feed escaped.</summary>
    public static string EscapeHelp(string help) => help.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("\n", @"\n", StringComparison.Ordinal);

    public static string FormatValue(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>Where one family's samples wait: memory, or a temporary file deleted when closed.</summary>
    private sealed record Spool(Stream Stream, StreamWriter Writer)
    {
        public static Spool Open(bool onDisk)
        {
            Stream stream = onDisk
                ? new FileStream(Path.Combine(Path.GetTempPath(), "lifeline-metrics-" + Guid.NewGuid().ToString("N")), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous)
                : new MemoryStream();
            return new Spool(stream, new StreamWriter(stream, new UTF8Encoding(false), 64 * 1024, leaveOpen: false));
        }
    }
}
