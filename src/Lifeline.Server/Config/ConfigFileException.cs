namespace Lifeline.Server.Config;

/// <summary>The config file given at start cannot be applied; <see cref="Problems"/> holds every problem as <c>file:line:col: message</c>.</summary>
public sealed class ConfigFileException : Exception
{
    public ConfigFileException(IReadOnlyList<string> problems)
        : base("invalid config file:\n  " + string.Join("\n  ", problems)) => Problems = problems;

    public ConfigFileException() : this([]) { }

    public ConfigFileException(string message) : base(message) => Problems = [message];

    public ConfigFileException(string message, Exception inner) : base(message, inner) => Problems = [message];

    public IReadOnlyList<string> Problems { get; }
}
