using Lifeline.Client.Push;

namespace Lifeline.Cli.Client;

/// <summary>
/// What the client commands (ping, run, agent) take from the outside world. The real one uses
/// the console and the system clock; tests pass their own clock, writers and retry timings.
/// </summary>
internal sealed record CliEnvironment
{
    public static CliEnvironment Default { get; } = new();

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Messages for people (errors, warnings, agent logs).</summary>
    public TextWriter Error { get; init; } = Console.Error;

    /// <summary>Raw standard output, where a wrapped job's output is passed through.</summary>
    public Func<Stream> OpenStandardOutput { get; init; } = Console.OpenStandardOutput;

    /// <summary>Raw standard error, where a wrapped job's error output is passed through.</summary>
    public Func<Stream> OpenStandardError { get; init; } = Console.OpenStandardError;

    /// <summary>Backoff timings; null keeps <see cref="PushRetryOptions"/>' defaults.</summary>
    public PushRetryOptions? Retry { get; init; }

    /// <summary>Replaces the HTTP sender entirely (tests on a manual clock).</summary>
    public IPushSender? Sender { get; init; }

    /// <summary>Makes the sender the commands use; <paramref name="http"/> is disposed by the caller.</summary>
    public IPushSender CreateSender(HttpClient http) => Sender ?? new PushSender(http, Time, Retry);
}
