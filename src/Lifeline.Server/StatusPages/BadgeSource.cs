namespace Lifeline.Server.StatusPages;

/// <summary>Renders a monitor's badges from the store, found by its badge key; null for an unknown key.</summary>
internal sealed class BadgeSource(IStatusPageStore store, IMaintenanceStore maintenance, TimeProvider clock)
{
    public async Task<Rendered?> StatusAsync(string key, bool svg, CancellationToken ct)
    {
        if (await store.FindByBadgeKeyAsync(key, ct) is not { } monitor)
        {
            return null;
        }
        var now = clock.GetUtcNow();
        var inMaintenance = (await maintenance.InForceAsync(now, ct)).Any(s => s.Window.Covers(monitor));
        var (message, color) = Badges.Status(monitor, inMaintenance);
        return svg
            ? Rendered.Of(Badges.Svg(monitor.Name, message, color), "image/svg+xml; charset=utf-8", now, Shows(monitor))
            : Rendered.Of(Badges.Shields(monitor.Name, message, color), "application/json; charset=utf-8", now, Shows(monitor));
    }

    public async Task<Rendered?> UptimeAsync(string key, int days, CancellationToken ct)
    {
        if (await store.FindByBadgeKeyAsync(key, ct) is not { } monitor)
        {
            return null;
        }
        var now = clock.GetUtcNow();
        var from = now.AddDays(-days);
        var incidents = await store.IncidentsSinceAsync([monitor.Id], from, ct);
        var (message, color) = Badges.UptimeMessage(Uptime.Ratio(incidents, monitor.CreatedAt, from, now));
        return Rendered.Of(Badges.Svg($"uptime {days}d", message, color), "image/svg+xml; charset=utf-8", now, Shows(monitor));
    }

    private static Dictionary<string, MonitorStatus> Shows(Monitor monitor) => new(StringComparer.Ordinal) { [monitor.Id] = monitor.Status };
}
