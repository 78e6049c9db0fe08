using System.Globalization;

namespace Lifeline.Core.Probes;

/// <summary>What one location said last about a monitor; <see cref="Vote"/> is unknown when it said nothing recent.</summary>
public sealed record LocationSeen(string Location, string Name, LocationVote Vote, DateTimeOffset? At, string? Message, long? DurationMs);

public enum LocationVote
{
    Up,
    Down,
    Unknown,
}

/// <summary>The monitor's verdict from its locations' latest results.</summary>
public sealed record Verdict(bool Ok, bool Degraded, bool Unknown, string Message, long DurationMs, IReadOnlyList<LocationSeen> Seen)
{
    public int Down => Seen.Count(s => s.Vote == LocationVote.Down);

    /// <summary>The verdict as the status it leads to when the monitor's retries allow: up, degraded or down.</summary>
    public MonitorStatus Status => Unknown ? MonitorStatus.New : !Ok ? MonitorStatus.Down : Degraded ? MonitorStatus.Degraded : MonitorStatus.Up;
}

/// <summary>
/// Counts the votes of a monitor's locations. Each location's newest result counts while it is
/// fresh; a location with no fresh result is unknown, never down. Down needs the quorum of down
/// votes; fewer make the monitor degraded; no fresh vote at all leaves it as it is.
/// </summary>
public static class Quorum
{
    /// <summary>How long a location's result counts: two intervals, the timeout and 15 s for delivery.</summary>
    public static TimeSpan FreshFor(Monitor monitor)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        return (monitor.Interval * 2) + monitor.Timeout + TimeSpan.FromSeconds(15);
    }

    /// <summary>
    /// The verdict from <paramref name="events"/> (the monitor's recent events, newest first; only
    /// check events that carry a location are votes).
    /// </summary>
    public static Verdict Decide(Monitor monitor, IReadOnlyList<MonitorEvent> events, Func<string, string> nameOf, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(nameOf);
        var oldest = now - FreshFor(monitor);
        var seen = new List<LocationSeen>(monitor.Locations.Count);
        foreach (var location in monitor.Locations)
        {
            // By time, not by arrival: results a probe kept while the server was away arrive late.
            var latest = events.Where(e => e.Type == SignalKind.Check && e.Location == location).MaxBy(e => e.At);
            var vote = latest is null || latest.At < oldest || latest.Unknown ? LocationVote.Unknown
                : latest.Ok ? LocationVote.Up : LocationVote.Down;
            seen.Add(new LocationSeen(location, nameOf(location), vote, latest?.At, latest?.Msg, latest?.DurationMs));
        }
        var down = seen.Count(s => s.Vote == LocationVote.Down);
        var up = seen.Count(s => s.Vote == LocationVote.Up);
        var quorum = monitor.EffectiveQuorum;
        var durations = seen.Where(s => s.Vote != LocationVote.Unknown && s.DurationMs is not null).Select(s => s.DurationMs!.Value).Order().ToList();
        var duration = durations.Count == 0 ? 0 : durations[durations.Count / 2];
        var total = seen.Count;
        if (down >= quorum)
        {
            return new Verdict(false, false, false, $"down from {down} of {total} locations (quorum {quorum}): {Describe(seen)}", duration, seen);
        }
        if (down > 0)
        {
            return new Verdict(true, true, false, $"degraded: down from {down} of {total} locations (quorum {quorum}): {Describe(seen)}", duration, seen);
        }
        if (up == 0)
        {
            return new Verdict(true, false, true, $"no location has reported: {Describe(seen)}", duration, seen);
        }
        return new Verdict(true, false, false, $"up from {up} of {total} locations: {Describe(seen)}", duration, seen);
    }

    private static string Describe(IEnumerable<LocationSeen> seen) =>
        string.Join("; ", seen.Select(s => s.Vote switch
        {
            LocationVote.Unknown => $"{s.Name}: unknown ({(s.At is null ? "no result yet" : "no recent result")})",
            _ when s.Vote == LocationVote.Up && s.DurationMs is { } ms => $"{s.Name}: up ({ms.ToString(CultureInfo.InvariantCulture)} ms)",
            _ => $"{s.Name}: {(s.Vote == LocationVote.Up ? "up" : "down")}{(string.IsNullOrEmpty(s.Message) ? "" : $", {s.Message}")}",
        }));
}

/// <summary>Chooses, within a location, the one live probe that runs a check: the highest hash of probe and check wins.</summary>
public static class Rendezvous
{
    public static string? Owner(string checkId, IReadOnlyList<string> liveProbes)
    {
        ArgumentNullException.ThrowIfNull(liveProbes);
        string? best = null;
        ulong bestScore = 0;
        foreach (var probe in liveProbes)
        {
            var score = Score(probe, checkId);
            if (best is null || score > bestScore || (score == bestScore && string.CompareOrdinal(probe, best) < 0))
            {
                best = probe;
                bestScore = score;
            }
        }
        return best;
    }

    // FNV-1a over "probe\0check", then a 64-bit finaliser: stable across processes and versions.
    private static ulong Score(string probe, string check)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in probe)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        hash = (hash ^ 0) * 1099511628211UL;
        foreach (var c in check)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        hash *= 0xc4ceb9fe1a85ec53UL;
        hash ^= hash >> 33;
        return hash;
    }
}
