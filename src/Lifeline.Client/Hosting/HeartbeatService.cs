using Microsoft.Extensions.Hosting;

namespace Lifeline.Client.Hosting;

/// <summary>Runs a <see cref="Heartbeat"/> for as long as the host runs.</summary>
public sealed class HeartbeatService(Heartbeat heartbeat) : BackgroundService
{
    /// <summary>The heartbeat this service runs.</summary>
    public Heartbeat Heartbeat { get; } = heartbeat ?? throw new ArgumentNullException(nameof(heartbeat));

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Heartbeat.RunAsync(stoppingToken);
}
