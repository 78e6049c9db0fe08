namespace Lifeline.Cli.Probe;

/// <summary>Everything <c>lifeline probe</c> runs with; the command line fills the first part, tests the timings.</summary>
internal sealed record ProbeSettings
{
    /// <summary>The server's base URL (the probe adds <c>api/v1/probe/...</c>).</summary>
    public required Uri Server { get; init; }

    /// <summary>The location's one-time enrol token; only needed before the first enrolment.</summary>
    public string? Token { get; init; }

    /// <summary>Folder for the credential, the cached assignments and the result spool; default ./probe-spool.</summary>
    public required string Spool { get; init; }

    /// <summary>How the probe names itself when it enrols; default the host name.</summary>
    public required string Name { get; init; }

    /// <summary>Checks running at the same time; default 64.</summary>
    public int Concurrency { get; init; } = 64;

    /// <summary>The most the result spool may hold on disk; default 100 MB. When full the oldest results are dropped.</summary>
    public long SpoolMaxBytes { get; init; } = 100L * 1024 * 1024;

    /// <summary>Results per batch sent to the server; default 500.</summary>
    public int BatchSize { get; init; } = 500;

    /// <summary>How long the server may hold an assignments poll before answering "unchanged"; default 25 s.</summary>
    public TimeSpan PollWait { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>How long new results wait to be sent with the ones right behind them; default 0.5 s.</summary>
    public TimeSpan FlushDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>First wait after a failed call, doubled each time up to <see cref="RetryMax"/>, with jitter; default 1 s.</summary>
    public TimeSpan RetryFirst { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between attempts while the server is unreachable; default 30 s.</summary>
    public TimeSpan RetryMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one enrol or results call may take; default 30 s (a poll gets <see cref="PollWait"/> more).</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public string CredentialPath => Path.Combine(Spool, "credential");

    public string AssignmentsPath => Path.Combine(Spool, "assignments.json");

    public string ResultsPath => Path.Combine(Spool, "results");
}
