using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Lifeline.Core.Probes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lifeline.Server.Probes;

/// <summary>
/// The server's side of remote probes: locations and enrolment, each probe's share of its
/// location's checks, and the results they send. A result is one location's vote; when a vote may
/// change the monitor's verdict, every location checks again at once and the monitor's next check
/// slot is brought forward, so the sweep decides (on the locked row, once per slot) within seconds.
/// </summary>
public sealed class ProbeHub(
    ILocationStore locations,
    IMonitorStore monitors,
    IChannelStore channels,
    Ingestor ingestor,
    TimeProvider clock,
    IOptions<LifelineOptions> options,
    ILogger<ProbeHub> logger) : IDisposable
{
    /// <summary>Recent events read to find each location's newest vote.</summary>
    public const int VoteWindow = 64;

    private static readonly TimeSpan SnapshotTtl = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan SeenEvery = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan WatchEvery = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RecheckMemory = TimeSpan.FromMinutes(10);

    private readonly LifelineOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _seen = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _watched = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private Snapshot? _snapshot;

    /// <summary>What the probes' reads share for a second: remote monitors, probes, locations and re-check requests.</summary>
    private sealed record Snapshot(
        DateTimeOffset At,
        IReadOnlyDictionary<string, Monitor> Monitors,
        IReadOnlyList<ProbeInfo> Probes,
        IReadOnlyDictionary<string, Location> Locations,
        IReadOnlyDictionary<string, DateTimeOffset> Rechecks);

    /// <summary>Creates a location with its watch monitor; null when the name is taken.</summary>
    public async Task<(Location Location, string EnrollToken)?> CreateLocationAsync(string name, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var everyChannel = (await channels.ListAsync(ct)).Select(c => c.Id).ToList();
        var watch = await monitors.AddAsync(new Monitor
        {
            Id = Secrets.NewId(),
            Name = $"Location {name}",
            Description = $"Hears every call of the probes of location {name}; it goes down when the location stops reporting.",
            PushToken = Secrets.NewPushToken(),
            Period = TimeSpan.FromSeconds(_options.LocationSilenceSeconds),
            Tags = ["location"],
            Channels = everyChannel,
            CreatedAt = now,
        }, ct);
        var location = new Location(Secrets.NewId(), name, now, watch.Id);
        var token = Secrets.NewEnrollToken();
        if (!await locations.AddLocationAsync(location, Secrets.HashKey(token), ct))
        {
            await monitors.DeleteAsync(watch.Id, ct);
            return null;
        }
        Invalidate();
        return (location, token);
    }

    /// <summary>Deletes a location that no monitor uses, with its probes and watch monitor; the names of the monitors that use it otherwise.</summary>
    public async Task<(bool Found, IReadOnlyList<string> UsedBy)> DeleteLocationAsync(string id, CancellationToken ct)
    {
        if (await locations.FindLocationAsync(id, ct) is not { } location)
        {
            return (false, []);
        }
        var users = (await locations.RemoteMonitorsAsync(ct)).Where(m => m.Locations.Contains(id)).Select(m => m.Name).ToList();
        if (users.Count > 0)
        {
            return (true, users);
        }
        await locations.DeleteLocationAsync(id, ct);
        if (location.WatchMonitorId is { } watch)
        {
            await monitors.DeleteAsync(watch, ct);
        }
        Invalidate();
        return (true, []);
    }

    /// <summary>A fresh one-time enrol token for the location; null when it does not exist.</summary>
    public async Task<string?> NewEnrollTokenAsync(string locationId, CancellationToken ct)
    {
        var token = Secrets.NewEnrollToken();
        return await locations.SetEnrollTokenAsync(locationId, Secrets.HashKey(token), ct) ? token : null;
    }

    /// <summary>Enrols a probe; null when the token is unknown or used.</summary>
    public async Task<(ProbeInfo Probe, Location Location, string Credential)?> EnrollAsync(EnrollRequest request, CancellationToken ct)
    {
        var secret = Secrets.NewApiKey();
        var given = request.Name?.Trim() ?? "";
        var name = given.Length == 0 ? "probe" : given[..Math.Min(100, given.Length)];
        var probe = await locations.EnrollAsync(Secrets.HashKey(request.Token), "pr_" + Secrets.NewId(), name, Secrets.HashKey(secret), clock.GetUtcNow(), ct);
        if (probe is null || await locations.FindLocationAsync(probe.LocationId, ct) is not { } location)
        {
            return null;
        }
        logger.LogInformation("Probe {Probe} ({Name}) enrolled in location {Location}", probe.Id, probe.Name, location.Name);
        Invalidate();
        return (probe, location, ProbeCredential.Of(probe.Id, secret));
    }

    /// <summary>The probe that presents this credential, compared in constant time; null when none does.</summary>
    public async Task<ProbeInfo?> AuthenticateAsync(string? credential, CancellationToken ct)
    {
        if (!ProbeCredential.TryParse(credential, out var id, out var secret) || id.Length > 64)
        {
            return null;
        }
        var probe = await locations.FindProbeAsync(id, ct);
        return probe is not null && Secrets.Matches(secret, probe.SecretHash) ? probe : null;
    }

    /// <summary>Replaces the probe's secret and returns the new credential.</summary>
    public async Task<string?> RotateAsync(ProbeInfo probe, CancellationToken ct)
    {
        var secret = Secrets.NewApiKey();
        return await locations.SetProbeSecretAsync(probe.Id, Secrets.HashKey(secret), ct) ? ProbeCredential.Of(probe.Id, secret) : null;
    }

    /// <summary>
    /// Notes that the probe called: its lease (written at most every few seconds per node) and its
    /// location's watch monitor (a heartbeat at most every ten seconds).
    /// </summary>
    public async Task HeardAsync(ProbeInfo probe, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (!_seen.TryGetValue(probe.Id, out var seen) || now - seen >= SeenEvery)
        {
            _seen[probe.Id] = now;
            await locations.SeenAsync(probe.Id, now, ct);
        }
        if (!_watched.TryGetValue(probe.LocationId, out var watched) || now - watched >= WatchEvery)
        {
            _watched[probe.LocationId] = now;
            var snapshot = await SnapshotAsync(ct);
            if (snapshot.Locations.TryGetValue(probe.LocationId, out var location) && location.WatchMonitorId is { } watch)
            {
                await ingestor.RecordIfFoundAsync(new SignalAddress { MonitorId = watch }, new Signal
                {
                    Kind = SignalKind.Success,
                    At = now,
                    Message = $"probe {probe.Name} called",
                    Source = "probe",
                }, ct);
            }
        }
    }

    /// <summary>The checks this probe runs now: those of its location that the rendezvous hash gives it among the live probes.</summary>
    public async Task<Assignments> AssignmentsAsync(ProbeInfo probe, CancellationToken ct)
    {
        var snapshot = await SnapshotAsync(ct);
        var now = clock.GetUtcNow();
        var lease = TimeSpan.FromSeconds(_options.ProbeLeaseSeconds);
        var live = snapshot.Probes
            .Where(p => p.LocationId == probe.LocationId && (p.Id == probe.Id || p.LastSeenAt is { } seen && now - seen <= lease))
            .Select(p => p.Id)
            .ToList();
        if (!live.Contains(probe.Id))
        {
            live.Add(probe.Id);
        }
        var checks = snapshot.Monitors.Values
            .Where(m => m.Status != MonitorStatus.Paused && m.Locations.Contains(probe.LocationId) && Rendezvous.Owner(m.Id, live) == probe.Id)
            .OrderBy(m => m.Id, StringComparer.Ordinal)
            .Select(m => ProbeChecks.From(m, snapshot.Rechecks.TryGetValue(m.Id, out var at) ? at : null))
            .ToList();
        var name = snapshot.Locations.TryGetValue(probe.LocationId, out var location) ? location.Name : probe.LocationId;
        return new Assignments(Version(checks), new LocationRef(probe.LocationId, name), checks);
    }

    /// <summary>Stores a batch of results once; then asks for a re-check of every monitor whose verdict they may change.</summary>
    public async Task<BatchAnswer> IngestAsync(ProbeInfo probe, ResultBatch batch, CancellationToken ct)
    {
        if (await locations.BatchSeenAsync(probe.Id, batch.Batch, ct))
        {
            return new BatchAnswer(0, Duplicate: true);
        }
        var snapshot = await SnapshotAsync(ct);
        var now = clock.GetUtcNow();
        var records = new List<Task<SignalResult>>(batch.Results.Count);
        var newest = new Dictionary<string, ProbeResult>(StringComparer.Ordinal);
        foreach (var result in batch.Results)
        {
            if (!snapshot.Monitors.TryGetValue(result.Monitor, out var monitor) || !monitor.Locations.Contains(probe.LocationId))
            {
                // Deleted, or moved away from this location since the probe was told: nothing to count.
                continue;
            }
            records.Add(ingestor.RecordIfFoundAsync(new SignalAddress { MonitorId = monitor.Id }, new Signal
            {
                Kind = SignalKind.Check,
                Ok = result.Ok,
                At = result.At > now ? now : result.At,
                Message = Trim(result.Message, 2000),
                DurationMs = Math.Max(0, result.DurationMs),
                Conditions = (result.Conditions ?? []).Take(50).ToList(),
                CertificateExpiresAt = result.CertificateExpiresAt,
                Location = probe.LocationId,
                Source = probe.Name,
            }, ct));
            if (!newest.TryGetValue(monitor.Id, out var seen) || seen.At < result.At)
            {
                newest[monitor.Id] = result;
            }
        }
        var stored = (await Task.WhenAll(records)).Count(r => r.Outcome != SignalOutcome.NotFound);
        await locations.MarkBatchAsync(probe.Id, batch.Batch, now, ct);
        foreach (var (id, result) in newest)
        {
            var monitor = snapshot.Monitors[id];
            var mayChange = result.Ok ? monitor.Status is MonitorStatus.Down or MonitorStatus.Degraded : monitor.Status != MonitorStatus.Down;
            if (mayChange && now - result.At <= Quorum.FreshFor(monitor))
            {
                await ReconsiderAsync(id, ct);
            }
        }
        return new BatchAnswer(stored, Duplicate: false);
    }

    /// <summary>
    /// When the votes now say something other than the monitor's status, asks every location to
    /// check again and brings the monitor's check forward, so the sweep decides at once.
    /// </summary>
    public async Task ReconsiderAsync(string monitorId, CancellationToken ct)
    {
        if (await monitors.FindAsync(monitorId, ct) is not { } monitor || monitor.Status == MonitorStatus.Paused)
        {
            return;
        }
        var now = clock.GetUtcNow();
        var verdict = Quorum.Decide(monitor, await monitors.EventsAsync(monitorId, VoteWindow, ct), await NamesAsync(ct), now);
        var status = monitor.Status is MonitorStatus.New ? MonitorStatus.Up : monitor.Status;
        if (!verdict.Unknown && verdict.Status != status)
        {
            await RecheckAsync(monitorId, ct);
        }
    }

    /// <summary>Asks every location, and the server, to check the monitor again now.</summary>
    public async Task RecheckAsync(string monitorId, CancellationToken ct)
    {
        await locations.RequestRecheckAsync(monitorId, clock.GetUtcNow(), ct);
        Invalidate();
    }

    /// <summary>Location names by id, "local" included, for verdict messages.</summary>
    public async Task<Func<string, string>> NamesAsync(CancellationToken ct)
    {
        var snapshot = await SnapshotAsync(ct);
        return id => snapshot.Locations.TryGetValue(id, out var l) ? l.Name : id;
    }

    /// <summary>Drops what the probes' reads share, so the next read sees a change at once.</summary>
    public void Invalidate() => _snapshot = null;

    private async Task<Snapshot> SnapshotAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (_snapshot is { } fresh && now - fresh.At < SnapshotTtl)
        {
            return fresh;
        }
        await _refresh.WaitAsync(ct);
        try
        {
            if (_snapshot is { } again && now - again.At < SnapshotTtl)
            {
                return again;
            }
            var remote = await locations.RemoteMonitorsAsync(ct);
            var probes = await locations.ProbesAsync(ct);
            var places = await locations.LocationsAsync(ct);
            var rechecks = await locations.RechecksAsync(now - RecheckMemory, ct);
            var snapshot = new Snapshot(
                now,
                remote.ToDictionary(m => m.Id, StringComparer.Ordinal),
                probes,
                places.ToDictionary(l => l.Id, StringComparer.Ordinal),
                rechecks);
            _snapshot = snapshot;
            return snapshot;
        }
        finally
        {
            _refresh.Release();
        }
    }

    private static string Version(IReadOnlyList<ProbeCheck> checks)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(checks, ProbeJson.Default.IReadOnlyListProbeCheck);
        return Convert.ToHexStringLower(SHA256.HashData(bytes))[..20];
    }

    private static string Trim(string text, int max) => text.Length <= max ? text : text[..max];

    public void Dispose() => _refresh.Dispose();
}
