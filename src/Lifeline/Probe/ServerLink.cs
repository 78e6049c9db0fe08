using Lifeline.Cli.Client;
using Microsoft.Extensions.Logging;

namespace Lifeline.Cli.Probe;

/// <summary>
/// Whether the server answers, as the poll and send loops see it. An outage is logged once when it
/// starts and once when it ends (with how long it lasted and what waits in the spool), however many
/// calls fail in between.
/// </summary>
internal sealed class ServerLink(TimeProvider time, ILogger log, Func<int> pending)
{
    private readonly Lock _gate = new();
    private DateTimeOffset? _downSince;

    public bool Down
    {
        get
        {
            lock (_gate)
            {
                return _downSince is not null;
            }
        }
    }

    public void Failed(string message)
    {
        lock (_gate)
        {
            if (_downSince is not null)
            {
                return;
            }
            _downSince = time.GetUtcNow();
        }
        log.LogWarning("Server not reachable: {Message}. Checks keep running; results wait in the spool and are sent when it answers again.", message);
    }

    public void Reached()
    {
        DateTimeOffset since;
        lock (_gate)
        {
            if (_downSince is not { } down)
            {
                return;
            }
            since = down;
            _downSince = null;
        }
        log.LogInformation("Server reachable again after {Duration}; {Pending} result(s) in the spool to deliver.", Durations.Show(time.GetUtcNow() - since), pending());
    }
}
