namespace Lifeline.Server.StatusPages;

/// <summary>
/// Reads what a status page shows in a fixed number of store reads, whatever its size: the page,
/// its monitors, their incidents over the last <see cref="Days"/> days, its notes and the
/// maintenance windows.
/// </summary>
internal sealed class StatusViews(IStatusPageStore store, IMaintenanceStore maintenance, TimeProvider clock)
{
    /// <summary>Days of uptime bars.</summary>
    public const int Days = 90;

    /// <summary>Notes shown on a page and in its feed.</summary>
    public const int NotesShown = 50;

    /// <summary>How far ahead scheduled maintenance is announced.</summary>
    private static readonly TimeSpan MaintenanceAhead = TimeSpan.FromDays(14);

    public async Task<StatusView?> ReadAsync(string slug, string publicUrl, CancellationToken ct)
    {
        if (!StatusPage.IsValidSlug(slug) || await store.FindPageBySlugAsync(slug, ct) is not { } page)
        {
            return null;
        }
        var now = clock.GetUtcNow();
        var ids = page.MonitorIds;
        var monitors = (await store.MonitorsAsync(ids, ct)).ToDictionary(m => m.Id, StringComparer.Ordinal);
        var from = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddDays(1 - Days);
        var incidents = (await store.IncidentsSinceAsync(ids, from, ct)).ToLookup(i => i.MonitorId, StringComparer.Ordinal);
        var notes = await store.NotesAsync(page.Id, NotesShown, ct);
        var windows = await maintenance.WindowsAsync(ct);

        var occurrences = new List<MaintenanceView>();
        var inMaintenance = new HashSet<string>(StringComparer.Ordinal);
        foreach (var window in windows)
        {
            var covered = monitors.Values.Where(window.Covers).ToList();
            if (covered.Count == 0)
            {
                continue;
            }
            foreach (var occurrence in window.OccurrencesAround(now))
            {
                var inProgress = occurrence.InForceAt(now);
                if (inProgress)
                {
                    inMaintenance.UnionWith(covered.Select(m => m.Id));
                }
                if (inProgress || (occurrence.StartsAt > now && occurrence.StartsAt - now <= MaintenanceAhead))
                {
                    occurrences.Add(new MaintenanceView(occurrence.StartsAt, occurrence.EndsAt, inProgress, [.. covered.Select(m => m.Name).Order(StringComparer.Ordinal)]));
                }
            }
        }

        var groups = page.Groups.Select(g => new GroupView(g.Name, [.. g.Monitors
            .Where(monitors.ContainsKey)
            .Select(id =>
            {
                var m = monitors[id];
                var mine = incidents[id].ToList();
                return new MonitorView(m.Name, m.Status, inMaintenance.Contains(id),
                    Uptime.Ratio(mine, m.CreatedAt, from, now), Uptime.Daily(mine, m.CreatedAt, now, Days));
            })])).ToList();

        var shown = monitors.Values.ToList();
        var down = shown.Count(m => m.Status == MonitorStatus.Down && !inMaintenance.Contains(m.Id));
        var watched = shown.Count(m => !inMaintenance.Contains(m.Id) && m.Status != MonitorStatus.Paused);
        var banner = down > 0 && down == watched ? Banner.MajorOutage
            : down > 0 ? Banner.PartialOutage
            : inMaintenance.Count > 0 ? Banner.Maintenance
            : Banner.Operational;
        var ratios = groups.SelectMany(g => g.Monitors).Select(m => m.Uptime).OfType<double>().ToList();
        return new StatusView(page, groups, banner, ratios.Count == 0 ? null : ratios.Average(), notes,
            [.. occurrences.OrderBy(o => o.Start)], now, $"{publicUrl}/status/{page.Slug}",
            monitors.ToDictionary(p => p.Key, p => p.Value.Status, StringComparer.Ordinal));
    }
}
