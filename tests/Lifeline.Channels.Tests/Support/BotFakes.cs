using System.Collections.Concurrent;
using Lifeline.Channels.Telegram;
using Microsoft.Extensions.Logging;

namespace Lifeline.Channels.Tests.Support;

/// <summary>An <see cref="IBotBackend"/> over a fixed status that records pause, resume and acknowledge requests.</summary>
public sealed class MemoryBotBackend : IBotBackend
{
    public BotStatus Status { get; set; } = new("running", Notices.At.AddHours(-3), "running", Notices.At.AddSeconds(-5), []);

    public ConcurrentQueue<string> Paused { get; } = new();

    public ConcurrentQueue<string> Resumed { get; } = new();

    public Task<BotStatus> GetStatusAsync(CancellationToken ct) => Task.FromResult(Status);

    public Task<string> PauseAsync(string name, CancellationToken ct)
    {
        Paused.Enqueue(name);
        return Task.FromResult($"Paused {name}. <no alerts>");
    }

    public ConcurrentQueue<(string Name, string By)> Acknowledged { get; } = new();

    public Task<string> AcknowledgeAsync(string name, string by, CancellationToken ct)
    {
        Acknowledged.Enqueue((name, by));
        return Task.FromResult($"{name} acknowledged by {by}.");
    }

    public Task<string> ResumeAsync(string name, CancellationToken ct)
    {
        Resumed.Enqueue(name);
        return Task.FromResult($"Resumed {name}.");
    }
}

/// <summary>An <see cref="IBotOffsetStore"/> in memory, shared between bot instances to play a restart.</summary>
public sealed class MemoryOffsetStore : IBotOffsetStore
{
    public long? Offset { get; private set; }

    public int Writes { get; private set; }

    public Task<long?> GetAsync(CancellationToken ct) => Task.FromResult(Offset);

    public Task SetAsync(long offset, CancellationToken ct)
    {
        Offset = offset;
        Writes++;
        return Task.CompletedTask;
    }
}

/// <summary>A logger that keeps every formatted message.</summary>
public sealed class ListLogger<T> : ILogger<T>
{
    public ConcurrentQueue<string> Messages { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Messages.Enqueue(formatter(state, exception) + (exception is null ? "" : " " + exception));
}
