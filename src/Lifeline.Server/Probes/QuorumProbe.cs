using Lifeline.Core.Probes;

namespace Lifeline.Server.Probes;

/// <summary>
/// The sweep's probe for every active monitor. A monitor checked by the server alone is checked as
/// always. One checked from several locations gets the server's own vote when "local" is among
/// them, and then the verdict of every location's newest vote, which the sweep records as the
/// monitor's check result for the slot.
/// </summary>
public sealed class QuorumProbe(IActiveProbe local, IMonitorStore monitors, ProbeHub hub, TimeProvider clock) : IActiveProbe
{
    public async Task<CheckReport> CheckAsync(Monitor monitor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        if (!monitor.IsMultiLocation)
        {
            return await local.CheckAsync(monitor, ct);
        }
        CheckReport? own = null;
        if (monitor.Locations.Contains(Monitor.LocalLocation))
        {
            own = await local.CheckAsync(monitor, ct);
            await monitors.RecordAsync(new SignalAddress { MonitorId = monitor.Id }, new Signal
            {
                Kind = SignalKind.Check,
                Ok = own.Ok,
                At = clock.GetUtcNow(),
                Message = own.Message,
                DurationMs = own.DurationMs,
                Conditions = own.Conditions,
                CertificateExpiresAt = own.CertificateExpiresAt,
                Location = Monitor.LocalLocation,
            }, ct);
            if (!own.Ok && monitor.Status is not MonitorStatus.Down)
            {
                // The first failure seen here: every other location looks again now.
                await hub.RecheckAsync(monitor.Id, ct);
            }
        }
        var verdict = Quorum.Decide(monitor, await monitors.EventsAsync(monitor.Id, ProbeHub.VoteWindow, ct), await hub.NamesAsync(ct), clock.GetUtcNow());
        return new CheckReport
        {
            Ok = verdict.Ok,
            Degraded = verdict.Degraded,
            Unknown = verdict.Unknown,
            Message = verdict.Message,
            DurationMs = verdict.DurationMs,
            Conditions = own?.Conditions ?? [],
            CertificateExpiresAt = own?.CertificateExpiresAt,
        };
    }
}
