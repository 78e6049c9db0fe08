namespace Lifeline.Checks;

/// <summary>The <see cref="IActiveProbe"/> port of the active check sweep, answered by a <see cref="CheckRunner"/>.</summary>
public sealed class CheckRunnerProbe(CheckRunner runner) : IActiveProbe
{
    public async Task<CheckReport> CheckAsync(Monitor monitor, CancellationToken ct)
    {
        var outcome = await runner.RunAsync(monitor, ct);
        return new CheckReport
        {
            Ok = outcome.Ok,
            Message = outcome.Message,
            DurationMs = outcome.DurationMs,
            Conditions = [.. outcome.ConditionResults.Select(r => new ConditionCheck(r.Condition, r.Ok, r.Text))],
            CertificateExpiresAt = outcome.Observation?.EarliestCertificateExpiry,
        };
    }
}
