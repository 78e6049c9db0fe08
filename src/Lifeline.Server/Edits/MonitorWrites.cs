using System.Text.Json.Nodes;
using Lifeline.Server.Endpoints;
using Microsoft.Extensions.Options;

namespace Lifeline.Server.Edits;

/// <summary>
/// Every change to monitors, for the admin API and the app alike: the same input rules
/// (<see cref="MonitorInput"/>, the probe library's checks, <see cref="DependencyCheck"/>) and the
/// same writes, so a form refuses exactly what the API refuses, with the same message. Monitors
/// from the configuration file (<see cref="Monitor.IsManaged"/>) are changed, deleted and given new
/// tokens only by the file; pausing, resuming and acknowledging stay open to everyone.
/// </summary>
public sealed class MonitorWrites(IMonitorStore store, IDependencyStore dependencies, IChannelStore channels, IEnumerable<IMonitorValidator> validators, TimeProvider clock, ILocationStore locations, IOptions<LifelineOptions> options)
{
    /// <summary>Creates a monitor from a create body (CONTRACT §3 fields).</summary>
    /// <param name="managedKey">The monitor's key in the configuration file, when it comes from there.</param>
    public async Task<WriteResult<Monitor>> CreateAsync(JsonObject body, CancellationToken ct, string? managedKey = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        var now = clock.GetUtcNow();
        var errors = new List<FieldError>();
        var monitor = MonitorInput.Apply(body, new Monitor { Id = Secrets.NewId(), Name = "", CreatedAt = now, ManagedKey = managedKey }, creating: true, errors);
        if (errors.Count == 0 && monitor.Kind == MonitorKind.Push)
        {
            monitor = monitor with { PushToken = monitor.PushToken ?? Secrets.NewPushToken() };
        }
        else if (errors.Count == 0)
        {
            // An active monitor's first check is due at once.
            monitor = monitor with { DueAt = now, NextDeadlineAt = now };
        }
        await CheckAsync(monitor, errors, ct);
        if (body.ContainsKey("dependsOn"))
        {
            await DependencyCheck.CheckAsync(monitor, store, dependencies, errors, ct);
        }
        if (errors.Count > 0)
        {
            return WriteResult.Invalid<Monitor>(errors);
        }
        try
        {
            return WriteResult.Done(await store.AddAsync(monitor, ct));
        }
        catch (ConflictException ex)
        {
            return WriteResult.Conflict<Monitor>(new FieldError(ex.Field, $"{ex.Field}: {ex.Message}"));
        }
    }

    /// <summary>
    /// What <see cref="CreateAsync"/> would refuse in a create body, without storing anything; the
    /// monitor it would make. <c>dependsOn</c> is not looked at (its monitors may not exist yet).
    /// </summary>
    internal async Task<(Monitor Monitor, List<FieldError> Errors)> CheckCreateAsync(JsonObject body, CancellationToken ct)
    {
        var errors = new List<FieldError>();
        var monitor = MonitorInput.Apply(body, new Monitor { Id = "", Name = "", CreatedAt = clock.GetUtcNow() }, creating: true, errors);
        await CheckAsync(monitor, errors, ct);
        return (monitor, errors);
    }

    /// <summary>Applies the fields of a PATCH body; fields not in it keep their values. A managed monitor is refused.</summary>
    public Task<WriteResult<Monitor>> ChangeAsync(string id, JsonObject body, CancellationToken ct) => ChangeAsync(id, body, byConfig: false, ct);

    /// <summary>Changes a monitor as the configuration file says: managed monitors too.</summary>
    internal Task<WriteResult<Monitor>> ChangeFromConfigAsync(string id, JsonObject body, CancellationToken ct) => ChangeAsync(id, body, byConfig: true, ct);

    private async Task<WriteResult<Monitor>> ChangeAsync(string id, JsonObject body, bool byConfig, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        var current = await store.FindAsync(id, ct);
        if (current is null)
        {
            return WriteResult.NotFound<Monitor>();
        }
        if (current.IsManaged && !byConfig)
        {
            return Managed(current, "changed");
        }
        var errors = new List<FieldError>();
        var changed = MonitorInput.Apply(body, current, creating: false, errors);
        await CheckAsync(changed, errors, ct, alreadyAttached: current.Channels);
        if (body.ContainsKey("dependsOn"))
        {
            await DependencyCheck.CheckAsync(changed, store, dependencies, errors, ct);
        }
        if (errors.Count > 0)
        {
            return WriteResult.Invalid<Monitor>(errors);
        }
        try
        {
            // Re-read inside the write so signals that arrived meanwhile are kept; apply only the edited fields.
            var saved = await store.ChangeAsync(id, latest =>
            {
                var edited = MonitorInput.Apply(body, latest, creating: false, []);
                return Flip.Quiet(latest, MonitorMachine.Reschedule(edited, clock.GetUtcNow()));
            }, ct);
            return saved is null ? WriteResult.NotFound<Monitor>() : WriteResult.Done(saved);
        }
        catch (ConflictException ex) when (ex.Field == "dependsOn")
        {
            // A cycle closed by an edit saved meanwhile: refused as the check above refuses one.
            return WriteResult.Invalid<Monitor>([new FieldError(ex.Field, $"{ex.Field}: {ex.Message}")]);
        }
        catch (ConflictException ex)
        {
            return WriteResult.Conflict<Monitor>(new FieldError(ex.Field, $"{ex.Field}: {ex.Message}"));
        }
    }

    /// <summary>Deletes the monitor, unless it comes from the configuration file; the deleted monitor, or why not.</summary>
    public async Task<WriteResult<Monitor>> DeleteAsync(string id, CancellationToken ct)
    {
        var current = await store.FindAsync(id, ct);
        if (current is null)
        {
            return WriteResult.NotFound<Monitor>();
        }
        if (current.IsManaged)
        {
            return Managed(current, "deleted");
        }
        return await store.DeleteAsync(id, ct) ? WriteResult.Done(current) : WriteResult.NotFound<Monitor>();
    }

    /// <summary>Deletes a monitor the configuration file no longer declares.</summary>
    internal Task<bool> DeleteFromConfigAsync(string id, CancellationToken ct) => store.DeleteAsync(id, ct);

    /// <summary>The refusal of a change to a monitor that only the configuration file may make, naming the file.</summary>
    private WriteResult<Monitor> Managed(Monitor monitor, string what) =>
        WriteResult.Conflict<Monitor>(new FieldError("managed",
            $"monitor '{monitor.Name}' comes from the config file {options.Value.Config ?? "(no longer configured)"} and can only be {what} there"));

    /// <summary>Pauses the monitor; null when the id is unknown.</summary>
    public Task<Monitor?> PauseAsync(string id, CancellationToken ct) => store.ChangeAsync(id, MonitorMachine.Pause, ct);

    /// <summary>Resumes the monitor; null when the id is unknown.</summary>
    public Task<Monitor?> ResumeAsync(string id, CancellationToken ct) => store.ChangeAsync(id, m => MonitorMachine.Resume(m, clock.GetUtcNow()), ct);

    /// <summary>Gives a push monitor a new token; the old one stops working at once.</summary>
    public async Task<WriteResult<Monitor>> RotateTokenAsync(string id, CancellationToken ct)
    {
        var current = await store.FindAsync(id, ct);
        if (current is null)
        {
            return WriteResult.NotFound<Monitor>();
        }
        if (current.Kind != MonitorKind.Push)
        {
            return WriteResult.Invalid<Monitor>([new FieldError("kind", "only push monitors have a push token")]);
        }
        if (current.IsManaged)
        {
            return Managed(current, "given a new token");
        }
        var saved = await store.ChangeAsync(id, m => Flip.Quiet(m, m with { PushToken = Secrets.NewPushToken() }), ct);
        return saved is null ? WriteResult.NotFound<Monitor>() : WriteResult.Done(saved);
    }

    /// <summary>Acknowledges the open incident as <paramref name="by"/>, which stops its reminders; a conflict when none is open.</summary>
    public async Task<WriteResult<Monitor>> AcknowledgeAsync(string id, string by, CancellationToken ct)
    {
        var current = await store.FindAsync(id, ct);
        if (current is null)
        {
            return WriteResult.NotFound<Monitor>();
        }
        if (current.OpenIncidentId is null)
        {
            return NoIncident(current);
        }
        var at = clock.GetUtcNow();
        // The incident may have closed since the read: then nothing is acknowledged.
        var saved = await store.ChangeAsync(id, m => Acknowledgement.Ack(m, by, at) ?? Flip.Quiet(m, m), ct);
        if (saved is null)
        {
            return WriteResult.NotFound<Monitor>();
        }
        return saved.AcknowledgedAt is null ? NoIncident(saved) : WriteResult.Done(saved);
    }

    private static WriteResult<Monitor> NoIncident(Monitor monitor) =>
        WriteResult.Conflict<Monitor>(new FieldError("", $"monitor '{monitor.Id}' has no open incident to acknowledge (it is {WireNames.Of(monitor.Status)})"));

    /// <param name="alreadyAttached">Channels the monitor had before an edit: a deleted one among them does not block other changes.</param>
    private async Task CheckAsync(Monitor monitor, List<FieldError> errors, CancellationToken ct, IReadOnlyList<string>? alreadyAttached = null)
    {
        foreach (var channelId in monitor.Channels.Except(alreadyAttached ?? []))
        {
            if (await channels.FindAsync(channelId, ct) is null)
            {
                errors.Add(new FieldError("channels", $"channels: no channel with id '{channelId}'"));
            }
        }
        foreach (var validator in validators)
        {
            errors.AddRange(validator.Validate(monitor));
        }
        if (monitor.IsMultiLocation)
        {
            var known = (await locations.LocationsAsync(ct)).Select(l => l.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var location in monitor.Locations.Where(l => l != Monitor.LocalLocation && !known.Contains(l)))
            {
                errors.Add(new FieldError("locations", $"locations: no location with id '{location}' (see GET /api/v1/locations; \"local\" is the server itself)"));
            }
        }
    }
}
