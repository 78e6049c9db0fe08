using System.Collections.Concurrent;
using System.Globalization;

namespace Lifeline.Core;

/// <summary>
/// The monitor state machine. Pure: every method takes the monitor as it is and returns a
/// <see cref="Flip"/>; stores apply flips atomically and sweeps decide when to call <see cref="OnDue"/>.
/// </summary>
public static class MonitorMachine
{
    private static readonly ConcurrentDictionary<(string Expression, string Zone), CronSchedule> Schedules = new();

    /// <summary>The next time a good signal is expected after one at <paramref name="from"/>.</summary>
    public static DateTimeOffset NextDeadline(Monitor monitor, DateTimeOffset from)
    {
        if (monitor.Kind != MonitorKind.Push)
        {
            return from + monitor.Interval;
        }
        if (monitor.Schedule is { } expression)
        {
            var schedule = Schedules.GetOrAdd((expression, monitor.Tz), key =>
                CronSchedule.TryParse(key.Expression, key.Zone, out var error)
                    ?? throw new InvalidOperationException(error));
            return schedule.Next(from);
        }
        return from + monitor.Period;
    }

    /// <summary>A signal arrived for the monitor.</summary>
    public static Flip OnSignal(Monitor monitor, Signal signal)
    {
        var next = monitor with { EventCount = monitor.EventCount + 1 };
        if (signal.Kind is SignalKind.Log or SignalKind.Ignored || signal.Location is not null)
        {
            // A log line, a ping the monitor's rules set aside, or one location's result (a vote that
            // changes nothing until the monitor's verdict counts it).
            return Flip.Quiet(monitor, next);
        }
        if (monitor.Status == MonitorStatus.Paused && monitor.ManualResume)
        {
            return Flip.Quiet(monitor, next with { LastSignalAt = signal.At });
        }
        if (monitor.Kind != MonitorKind.Push)
        {
            return OnCheck(monitor, next, signal);
        }
        if (signal.Kind == SignalKind.Start)
        {
            // As in Healthchecks, a start opens a run and changes no status: a paused monitor stays
            // paused and, as with a log line, lastSignalAt stays. A run of a monitor that is up must
            // end within the grace time, so the sweep looks again then.
            next = next with { RunStartedAt = signal.At, RunRid = signal.Rid };
            if (monitor.Status is MonitorStatus.Up or MonitorStatus.Late)
            {
                next = next with { DueAt = Earliest(next.DueAt, RunLimit(next)) };
            }
            return Flip.Quiet(monitor, next);
        }

        var (runEnds, duration) = RunEnd(monitor, signal);
        next = next with
        {
            LastSignalAt = signal.At,
            LastMessage = signal.Message ?? SummaryLine(signal.Body) ?? monitor.LastMessage,
            LastValue = signal.Value ?? monitor.LastValue,
            LastDurationMs = duration ?? monitor.LastDurationMs,
            RunStartedAt = runEnds ? null : monitor.RunStartedAt,
            RunRid = runEnds ? null : monitor.RunRid,
        };

        if (signal.Ok)
        {
            var deadline = NextDeadline(monitor, signal.At);
            // The due time only has to come no later than the deadline: one still ahead is kept,
            // and the sweep moves it on to the deadline when it comes (OnDue). A monitor pinged
            // many times per period so rewrites the due index about once a period, not per ping.
            // The due time set for a run that has now ended is not kept.
            var early = runEnds && monitor.DueAt == RunLimit(monitor) ? null : monitor.DueAt;
            var due = early is { } kept && kept > signal.At && kept <= deadline ? kept : deadline;
            next = next with { Status = MonitorStatus.Up, NextDeadlineAt = deadline };
            // A run left open (a success of another run) still has to end within grace.
            next = next with { DueAt = Earliest(due, RunLimit(next)) };
            if (monitor.Status == MonitorStatus.Down || monitor.OpenIncidentId is not null)
            {
                // The signal's own words: a bare success must not repeat the failure it ends.
                return Recovered(monitor, next, signal.At, $"signal received: {signal.Message ?? SummaryLine(signal.Body) ?? "OK"}");
            }
            return Flip.Quiet(monitor, next);
        }

        // Already down: the reminder schedule, if any, stands.
        next = next with { Status = MonitorStatus.Down, NextDeadlineAt = null, DueAt = monitor.Status == MonitorStatus.Down ? monitor.DueAt : null };
        if (monitor.Status == MonitorStatus.Down)
        {
            return Flip.Quiet(monitor, next);
        }
        return WentDown(monitor, next, signal.At, FailureReason(signal));
    }

    /// <summary>The sweep found the monitor due at <paramref name="now"/>; null when nothing is due.</summary>
    public static Flip? OnDue(Monitor monitor, DateTimeOffset now)
    {
        if (monitor.Kind != MonitorKind.Push || monitor.DueAt is not { } due || now < due)
        {
            return null;
        }
        var deadline = monitor.NextDeadlineAt ?? due;
        var since = monitor.LastSignalAt is { } last
            ? $"no signal since {Format(last)}"
            : $"no signal since the monitor was resumed";
        var run = RunLimit(monitor);
        switch (monitor.Status)
        {
            case MonitorStatus.Up or MonitorStatus.Late when run is { } limit && now >= limit:
                // The run has had its grace time: it is over, and it did not end well.
                var overrun = monitor with { Status = MonitorStatus.Down, DueAt = null, NextDeadlineAt = null, RunStartedAt = null, RunRid = null };
                return WentDown(monitor, overrun, now, $"run started at {Format(monitor.RunStartedAt!.Value)} did not end within the grace time ({Span(monitor.Grace)})");
            case MonitorStatus.Up when now < deadline:
                // A signal came since the due time was set: wait for the real deadline.
                return Flip.Quiet(monitor, monitor with { DueAt = Earliest(deadline, run) });
            case MonitorStatus.Late when now < deadline + monitor.Grace:
                return Flip.Quiet(monitor, monitor with { DueAt = Earliest(deadline + monitor.Grace, run) });
            case MonitorStatus.Up when monitor.Grace > TimeSpan.Zero && now < deadline + monitor.Grace:
                return Flip.Quiet(monitor, monitor with { Status = MonitorStatus.Late, DueAt = Earliest(deadline + monitor.Grace, run) });
            case MonitorStatus.Up or MonitorStatus.Late:
                var down = monitor with { Status = MonitorStatus.Down, DueAt = null, NextDeadlineAt = null };
                return WentDown(monitor, down, now, $"{since} (expected by {Format(deadline)})");
            case MonitorStatus.Down when monitor.RemindEvery is not null && monitor.AcknowledgedAt is null:
                return Remind(monitor, now);
            default:
                return null;
        }
    }

    /// <summary>
    /// The server starts again after being away since <paramref name="awaySince"/>. A monitor whose
    /// deadline passed while nobody could receive its signals gets one fresh period (plus grace)
    /// from <paramref name="restartAt"/>; null for monitors the outage did not affect.
    /// </summary>
    public static Flip? AfterOutage(Monitor monitor, DateTimeOffset awaySince, DateTimeOffset restartAt)
    {
        if (monitor.Kind != MonitorKind.Push || monitor.DueAt is not { } due || due > restartAt || due < awaySince)
        {
            return null;
        }
        if (monitor.Status == MonitorStatus.Down)
        {
            // A reminder that fell due while away waits a whole interval more: a restart is no news.
            return monitor.RemindEvery is { } every ? Flip.Quiet(monitor, monitor with { DueAt = restartAt + every }) : null;
        }
        // A deadline still ahead (the due time was early, see OnSignal) stands; a passed one is renewed.
        var fresh = monitor.NextDeadlineAt is { } ahead && ahead > restartAt ? ahead : NextDeadline(monitor, restartAt);
        var next = monitor.Status == MonitorStatus.Late
            ? monitor with { NextDeadlineAt = fresh, DueAt = fresh + monitor.Grace }
            : monitor with { NextDeadlineAt = fresh, DueAt = fresh };
        // A run whose grace time ran out while away may have ended unheard: it is let go. One still
        // within its grace time keeps it.
        next = RunLimit(monitor) is { } limit && limit <= restartAt
            ? next with { RunStartedAt = null, RunRid = null }
            : next with { DueAt = Earliest(next.DueAt, RunLimit(next)) };
        return Flip.Quiet(monitor, next);
    }

    /// <summary>Pauses: no deadline, no alert; an open incident is closed without a notice.</summary>
    public static Flip Pause(Monitor monitor)
    {
        var next = monitor with { Status = MonitorStatus.Paused, DueAt = null, NextDeadlineAt = null, FailureStreak = 0 };
        return new Flip(next, monitor.Status, monitor.OpenIncidentId is null ? IncidentChange.None : IncidentChange.Close, null);
    }

    /// <summary>Resumes a paused monitor: a fresh deadline from now, or <c>new</c> when it never had a signal.</summary>
    public static Flip Resume(Monitor monitor, DateTimeOffset now)
    {
        if (monitor.Status != MonitorStatus.Paused)
        {
            return Flip.Quiet(monitor, monitor);
        }
        if (monitor.Kind != MonitorKind.Push)
        {
            return Flip.Quiet(monitor, monitor with { Status = MonitorStatus.New, DueAt = now, NextDeadlineAt = now });
        }
        if (monitor.LastSignalAt is null)
        {
            return Flip.Quiet(monitor, monitor with { Status = MonitorStatus.New });
        }
        // A run started while paused is not held against the monitor.
        var deadline = NextDeadline(monitor, now);
        return Flip.Quiet(monitor, monitor with { Status = MonitorStatus.Up, NextDeadlineAt = deadline, DueAt = deadline, RunStartedAt = null, RunRid = null });
    }

    /// <summary>The period, grace or schedule changed: recompute the deadline from the last signal.</summary>
    public static Monitor Reschedule(Monitor monitor, DateTimeOffset now)
    {
        if (monitor.Kind != MonitorKind.Push)
        {
            return monitor.Status == MonitorStatus.Paused ? monitor : monitor with { DueAt = now, NextDeadlineAt = now };
        }
        if (monitor.Status == MonitorStatus.Down)
        {
            // Reminders switched on, off or changed while down.
            return monitor with { DueAt = monitor.RemindEvery is { } every && monitor.AcknowledgedAt is null ? (monitor.LastAlertAt ?? now) + every : null };
        }
        if (monitor.Status is not (MonitorStatus.Up or MonitorStatus.Late) || monitor.LastSignalAt is not { } last)
        {
            return monitor;
        }
        var deadline = NextDeadline(monitor, last);
        var run = RunLimit(monitor);
        return monitor.Status == MonitorStatus.Late && now < deadline
            ? monitor with { Status = MonitorStatus.Up, NextDeadlineAt = deadline, DueAt = Earliest(deadline, run) }
            : monitor with { NextDeadlineAt = deadline, DueAt = Earliest(monitor.Status == MonitorStatus.Late ? deadline + monitor.Grace : deadline, run) };
    }

    private static Flip OnCheck(Monitor monitor, Monitor next, Signal signal)
    {
        if (signal.Unknown)
        {
            // The server's own network failed: nothing is learned about the target, so look again soon.
            var again = signal.At + (monitor.RetryInterval ?? monitor.Interval);
            return Flip.Quiet(monitor, next with { LastSignalAt = signal.At, DueAt = again, NextDeadlineAt = again });
        }
        var due = signal.Ok && monitor.Status != MonitorStatus.Down
            ? CheckPhase.NextSlot(monitor, signal.At)
            : signal.At + (monitor.RetryInterval ?? monitor.Interval);
        next = next with
        {
            LastSignalAt = signal.At,
            LastMessage = signal.Message ?? monitor.LastMessage,
            LastValue = signal.Value ?? monitor.LastValue,
            DueAt = due,
            NextDeadlineAt = due,
        };
        if (signal.Ok)
        {
            var recovering = monitor.Status == MonitorStatus.Down || monitor.OpenIncidentId is not null;
            var successes = monitor.SuccessStreak + 1;
            if (recovering && successes < monitor.SuccessThreshold)
            {
                return Flip.Quiet(monitor, next with { FailureStreak = 0, SuccessStreak = successes });
            }
            next = next with { Status = signal.Degraded ? MonitorStatus.Degraded : MonitorStatus.Up, FailureStreak = 0, SuccessStreak = 0 };
            if (recovering)
            {
                // Back on the monitor's own phase once it is up again.
                var slot = CheckPhase.NextSlot(monitor, signal.At);
                return Recovered(monitor, next with { DueAt = slot, NextDeadlineAt = slot }, signal.At, $"check passed: {next.LastMessage ?? "OK"}");
            }
            return Flip.Quiet(monitor, next);
        }
        var streak = monitor.FailureStreak + 1;
        next = next with { FailureStreak = streak, SuccessStreak = 0 };
        if (monitor.Status == MonitorStatus.Down)
        {
            return monitor.RemindEvery is { } every && monitor.AcknowledgedAt is null && (monitor.LastAlertAt is not { } alerted || signal.At - alerted >= every)
                ? Remind(next, signal.At) with { Previous = monitor.Status }
                : Flip.Quiet(monitor, next);
        }
        if (streak <= monitor.Retries)
        {
            return Flip.Quiet(monitor, next);
        }
        return WentDown(monitor, next with { Status = MonitorStatus.Down }, signal.At, FailureReason(signal));
    }

    private static Flip WentDown(Monitor before, Monitor next, DateTimeOffset at, string reason)
    {
        next = next with { LastAlertAt = at };
        if (next.Kind == MonitorKind.Push && next.RemindEvery is { } every)
        {
            next = next with { DueAt = at + every };
        }
        return new(next, before.Status, IncidentChange.Open, new Notice
        {
            Type = Notice.DownType,
            At = at,
            Reason = reason,
            Monitor = NoticeMonitor.From(next),
            PreviousStatus = WireNames.Of(before.Status),
            IncidentStartedAt = at,
        });
    }

    /// <summary>The repeated down notice of a monitor that is still down.</summary>
    private static Flip Remind(Monitor monitor, DateTimeOffset at)
    {
        var next = monitor with { LastAlertAt = at };
        if (monitor.Kind == MonitorKind.Push && monitor.RemindEvery is { } every)
        {
            next = next with { DueAt = at + every };
        }
        var last = monitor.LastMessage is { Length: > 0 } message ? $": {message}" : "";
        return new(next, MonitorStatus.Down, IncidentChange.None, new Notice
        {
            Type = Notice.DownType,
            At = at,
            Reason = $"still down{last}",
            Monitor = NoticeMonitor.From(next),
            PreviousStatus = WireNames.Of(MonitorStatus.Down),
            Reminder = true,
        });
    }

    private static Flip Recovered(Monitor before, Monitor next, DateTimeOffset at, string reason) =>
        new(next, before.Status, IncidentChange.Close, !next.NotifyRecovery ? null : new Notice
        {
            Type = Notice.UpType,
            At = at,
            Reason = reason,
            Monitor = NoticeMonitor.From(next),
            PreviousStatus = WireNames.Of(before.Status),
        });

    /// <summary>
    /// Whether a success or failure ends the open run, and its duration, by Healthchecks' rules: the
    /// same rid (or none on both) ends it with a duration; a failure, or a success without a rid,
    /// ends it without one; a success with another rid leaves it open.
    /// </summary>
    private static (bool Ends, long? DurationMs) RunEnd(Monitor monitor, Signal signal)
    {
        if (monitor.RunStartedAt is not { } started)
        {
            return (false, null);
        }
        if (signal.Rid == monitor.RunRid)
        {
            return (true, signal.At >= started ? (long)(signal.At - started).TotalMilliseconds : null);
        }
        return (!signal.Ok || signal.Rid is null, null);
    }

    /// <summary>When the open run of a push monitor has had its grace time; null without a run or a grace time.</summary>
    private static DateTimeOffset? RunLimit(Monitor monitor) =>
        monitor.RunStartedAt is { } started && monitor.Grace > TimeSpan.Zero ? started + monitor.Grace : null;

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is { } x && b is { } y ? (x <= y ? x : y) : a ?? b;

    private static string FailureReason(Signal signal)
    {
        var text = signal.Message ?? SummaryLine(signal.Body);
        if (!string.IsNullOrWhiteSpace(text))
        {
            return signal.ExitStatus is { } code and not 0 ? $"exit status {code}: {text}" : text;
        }
        return signal.ExitStatus is { } exit ? $"exit status {exit}" : "failure signal received";
    }

    /// <summary>The last non-empty line of a body: for job output, usually the one that says what went wrong.</summary>
    private static string? SummaryLine(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }
        var trimmed = body.Trim();
        var line = trimmed[(trimmed.LastIndexOf('\n') + 1)..].Trim();
        return PushParameters.Truncate(line, 500);
    }

    private static string Span(TimeSpan span) =>
        span.TotalSeconds % 3600 == 0 ? $"{span.TotalHours:0}h"
        : span.TotalSeconds % 60 == 0 ? $"{span.TotalMinutes:0}m"
        : $"{span.TotalSeconds:0.###}s";

    private static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
