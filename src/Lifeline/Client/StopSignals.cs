using System.Runtime.InteropServices;

namespace Lifeline.Cli.Client;

/// <summary>
/// Turns SIGINT (Ctrl+C), SIGTERM and SIGQUIT into a cancellation for as long as a client
/// command runs, so it can stop cleanly (kill its job, report, say goodbye) instead of being
/// killed outright. System.CommandLine only does this when invoked with a termination timeout,
/// which the shared Program.cs does not set; owning it here keeps <c>serve</c>'s own shutdown untouched.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly List<PosixSignalRegistration> _registrations = [];

    private StopSignals(CancellationToken outer)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(outer);
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT })
        {
            try
            {
                _registrations.Add(PosixSignalRegistration.Create(signal, OnSignal));
            }
            catch (PlatformNotSupportedException)
            {
                // Not every platform has every signal (SIGQUIT on Windows); the others still work.
            }
        }
    }

    /// <summary>Cancelled by a stop signal or by the caller's token.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>The exit status a shell would show for the signal received (130 SIGINT, 131 SIGQUIT, 143 SIGTERM), or 143 when stopped otherwise.</summary>
    public int ExitStatus { get; private set; } = 143;

    public static StopSignals Listen(CancellationToken outer) => new(outer);

    private void OnSignal(PosixSignalContext context)
    {
        // Keep the runtime from terminating the process: the command winds down by itself.
        context.Cancel = true;
        ExitStatus = context.Signal switch
        {
            PosixSignal.SIGINT => 130,
            PosixSignal.SIGQUIT => 131,
            _ => 143,
        };
        _stop.Cancel();
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
        _stop.Dispose();
    }
}
