using System.Text.Json.Nodes;
using Lifeline.Server.Endpoints;

namespace Lifeline.Server.Edits;

/// <summary>When a window is in force now, and when it next starts.</summary>
/// <param name="ActiveUntil">The end of the occurrence in force; null while a manual window runs, or when none is in force.</param>
public sealed record MaintenanceTiming(bool Active, DateTimeOffset? ActiveUntil, DateTimeOffset? NextStart)
{
    public static MaintenanceTiming Of(MaintenanceWindow window, IReadOnlyList<MaintenanceState> inForce, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(window);
        var current = inForce.FirstOrDefault(s => s.Window.Id == window.Id)?.Current;
        DateTimeOffset? nextStart = window.Kind == MaintenanceKind.Recurring
            ? window.OccurrencesAround(now).Select(o => o.StartsAt).FirstOrDefault(s => s > now)
            : window.Kind == MaintenanceKind.Once && window.Start > now ? window.Start : null;
        return new MaintenanceTiming(current is not null, current?.EndsAt, nextStart);
    }
}

/// <summary>
/// Every change to maintenance windows, for the admin API and the app alike: the same input rules
/// (<see cref="MaintenanceInput"/>), and a sweep right after, so a window in force acts at once.
/// </summary>
public sealed class MaintenanceWrites(IMaintenanceStore store, IMonitorStore monitors, MaintenanceSweep sweep, TimeProvider clock)
{
    /// <summary>Creates a window from a create body (CONTRACT §9).</summary>
    public async Task<WriteResult<MaintenanceWindow>> CreateAsync(JsonObject body, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        var now = clock.GetUtcNow();
        var errors = new List<FieldError>();
        var window = MaintenanceInput.Apply(body, new MaintenanceWindow { Id = Secrets.NewId(), Name = "", CreatedAt = now }, creating: true, now, errors);
        await MaintenanceInput.CheckAsync(window, monitors, errors, ct);
        if (errors.Count > 0)
        {
            return WriteResult.Invalid<MaintenanceWindow>(errors);
        }
        await store.AddWindowAsync(window, window.OccurrencesAround(now), ct);
        // A window already in force pauses (or alerts) now, not at the scheduler's next pass.
        await sweep.SweepOnceAsync(ct);
        return WriteResult.Done(window);
    }

    /// <summary>Applies the fields of a PATCH body; the kind cannot change.</summary>
    public async Task<WriteResult<MaintenanceWindow>> ChangeAsync(string id, JsonObject body, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (await store.FindWindowAsync(id, ct) is not { } current)
        {
            return WriteResult.NotFound<MaintenanceWindow>();
        }
        var now = clock.GetUtcNow();
        var errors = new List<FieldError>();
        var window = MaintenanceInput.Apply(body, current, creating: false, now, errors);
        await MaintenanceInput.CheckAsync(window, monitors, errors, ct);
        if (errors.Count > 0)
        {
            return WriteResult.Invalid<MaintenanceWindow>(errors);
        }
        // A manual window's one occurrence comes back with its start, so it keeps running (or stays ended).
        if (!await store.UpdateWindowAsync(window, window.OccurrencesAround(now), now, ct))
        {
            return WriteResult.NotFound<MaintenanceWindow>();
        }
        await sweep.SweepOnceAsync(ct);
        return WriteResult.Done(window);
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken ct)
    {
        if (!await store.DeleteWindowAsync(id, clock.GetUtcNow(), ct))
        {
            return false;
        }
        // Monitors still down that the window covered alert now.
        await sweep.SweepOnceAsync(ct);
        return true;
    }

    /// <summary>Ends the occurrence in force now; a conflict when none is.</summary>
    public async Task<WriteResult<MaintenanceWindow>> EndAsync(string id, CancellationToken ct)
    {
        if (await store.FindWindowAsync(id, ct) is not { } window)
        {
            return WriteResult.NotFound<MaintenanceWindow>();
        }
        if (!await store.EndOccurrenceAsync(id, clock.GetUtcNow(), ct))
        {
            return WriteResult.Conflict<MaintenanceWindow>(new FieldError("", $"maintenance window '{id}' is not in force"));
        }
        await sweep.SweepOnceAsync(ct);
        return WriteResult.Done(window);
    }
}
