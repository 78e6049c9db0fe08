using Lifeline.Cli.Client;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Lifeline.Cli.Agent;

/// <summary>A local check run before each beat; it decides up or down and the message.</summary>
internal abstract record LocalCheck(TimeSpan Timeout);

/// <summary>A shell command: exit status 0 is up; its output is the message.</summary>
internal sealed record CommandCheck(string Command, TimeSpan Timeout) : LocalCheck(Timeout);

/// <summary>A URL (usually local) that must answer 2xx.</summary>
internal sealed record UrlCheck(Uri Url, TimeSpan Timeout) : LocalCheck(Timeout);

/// <summary>One heartbeat of the agent.</summary>
internal sealed record HeartbeatSpec(string Name, Uri Url, TimeSpan Interval, LocalCheck? Check);

/// <summary>
/// Reads the agent's YAML file. Every problem is reported at once, each as
/// <c>file:line:column: field: what is wrong</c>.
/// </summary>
/// <example><code>
/// heartbeats:
///   - name: web
///     url: https://lifeline.example.com/api/push/Kq3xV9
///     interval: 60            # seconds, or 30s, 5m, 1h
///     check:
///       command: systemctl is-active --quiet nginx
///       timeout: 10s
///   - name: api
///     url: https://lifeline.example.com/ping/Zt81Qe
///     interval: 5m
///     check:
///       url: http://127.0.0.1:8080/healthz
/// </code></example>
internal static class AgentConfig
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan DefaultCheckTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Thrown with every problem found in a config file.</summary>
    public sealed class InvalidException(IReadOnlyList<string> problems)
        : Exception(string.Join(Environment.NewLine, problems))
    {
        public IReadOnlyList<string> Problems { get; } = problems;
    }

    public static IReadOnlyList<HeartbeatSpec> Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidException([$"{path}: cannot read the file: {ex.Message}"]);
        }
        return Parse(text, path);
    }

    public static IReadOnlyList<HeartbeatSpec> Parse(string text, string fileName)
    {
        var problems = new Problems(fileName);

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw new InvalidException([$"{fileName}:{ex.Start.Line}:{ex.Start.Column}: not valid YAML: {ex.InnerException?.Message ?? ex.Message}"]);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new InvalidException([$"{fileName}: expected a mapping with a 'heartbeats' list, like:{Environment.NewLine}heartbeats:{Environment.NewLine}  - url: https://lifeline.example.com/api/push/<token>{Environment.NewLine}    interval: 60"]);
        }

        var specs = new List<HeartbeatSpec>();
        CheckKeys(root, "", ["heartbeats"], problems);
        var list = Child(root, "heartbeats");
        if (list is null)
        {
            problems.Add(root, "heartbeats", "missing: list the heartbeats to send");
        }
        else if (list is not YamlSequenceNode sequence || sequence.Children.Count == 0)
        {
            problems.Add(list, "heartbeats", "must be a list with at least one heartbeat (items start with '- ')");
        }
        else
        {
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < sequence.Children.Count; i++)
            {
                var spec = ParseHeartbeat(sequence.Children[i], $"heartbeats[{i}]", problems);
                if (spec is null)
                {
                    continue;
                }
                if (!names.Add(spec.Name))
                {
                    problems.Add(sequence.Children[i], $"heartbeats[{i}].name", $"'{spec.Name}' is used twice; give each heartbeat its own name");
                    continue;
                }
                specs.Add(spec);
            }
        }

        return problems.Count > 0 ? throw new InvalidException(problems.Lines) : specs;
    }

    private static HeartbeatSpec? ParseHeartbeat(YamlNode node, string path, Problems problem)
    {
        if (node is not YamlMappingNode map)
        {
            problem.Add(node, path, "must be a mapping with url, interval and optionally name and check");
            return null;
        }
        var before = problem.Count;
        CheckKeys(map, path + ".", ["name", "url", "interval", "check"], problem);

        var urlNode = Child(map, "url");
        Uri? url = null;
        if (urlNode is null)
        {
            problem.Add(map, path + ".url", "missing: the monitor's push URL (https://host/api/push/<token> or https://host/ping/<token>)");
        }
        else if (!CliOptions.TryParseUrl(Scalar(urlNode), out url, out var error))
        {
            problem.Add(urlNode, path + ".url", error);
        }

        var interval = DefaultInterval;
        if (Child(map, "interval") is { } intervalNode && !TryDuration(intervalNode, path + ".interval", problem, TimeSpan.FromSeconds(1), out interval))
        {
            interval = DefaultInterval;
        }

        LocalCheck? check = null;
        if (Child(map, "check") is { } checkNode)
        {
            check = ParseCheck(checkNode, path + ".check", problem);
        }

        var name = Child(map, "name") is { } nameNode ? Scalar(nameNode) : null;
        if (name is not null && string.IsNullOrWhiteSpace(name))
        {
            problem.Add(Child(map, "name"), path + ".name", "must not be empty");
        }
        if (problem.Count != before || url is null)
        {
            return null;
        }
        return new HeartbeatSpec(string.IsNullOrWhiteSpace(name) ? $"{path} ({url.Host})" : name.Trim(), url, interval, check);
    }

    private static LocalCheck? ParseCheck(YamlNode node, string path, Problems problem)
    {
        if (node is not YamlMappingNode map)
        {
            problem.Add(node, path, "must be a mapping with either 'command' or 'url' (and optionally 'timeout')");
            return null;
        }
        CheckKeys(map, path + ".", ["command", "url", "timeout"], problem);
        var timeout = DefaultCheckTimeout;
        if (Child(map, "timeout") is { } timeoutNode && !TryDuration(timeoutNode, path + ".timeout", problem, TimeSpan.FromMilliseconds(1), out timeout))
        {
            return null;
        }
        var command = Child(map, "command");
        var url = Child(map, "url");
        switch (command, url)
        {
            case (not null, not null):
                problem.Add(map, path, "has both 'command' and 'url'; pick one");
                return null;
            case (null, null):
                problem.Add(map, path, "needs either 'command' (a shell command; exit status 0 is up) or 'url' (must answer 2xx)");
                return null;
            case (not null, _):
                var text = Scalar(command);
                if (string.IsNullOrWhiteSpace(text))
                {
                    problem.Add(command, path + ".command", "must be a shell command as text");
                    return null;
                }
                return new CommandCheck(text, timeout);
            default:
                if (!CliOptions.TryParseUrl(Scalar(url!), out var target, out var error))
                {
                    problem.Add(url, path + ".url", error);
                    return null;
                }
                return new UrlCheck(target, timeout);
        }
    }

    private static bool TryDuration(YamlNode node, string field, Problems problem, TimeSpan minimum, out TimeSpan duration)
    {
        var text = Scalar(node);
        if (!Durations.TryParse(text, out duration))
        {
            problem.Add(node, field, $"'{text}' is not a duration: write seconds (60) or a number with a unit (500ms, 30s, 5m, 1h)");
            return false;
        }
        if (duration < minimum)
        {
            problem.Add(node, field, $"must be at least {Durations.Show(minimum)}");
            return false;
        }
        return true;
    }

    private static void CheckKeys(YamlMappingNode map, string prefix, string[] known, Problems problem)
    {
        foreach (var key in map.Children.Keys)
        {
            var name = Scalar(key);
            if (!known.Contains(name, StringComparer.Ordinal))
            {
                problem.Add(key, prefix + name, $"unknown field; expected one of: {string.Join(", ", known)}");
            }
        }
    }

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static string? Scalar(YamlNode node) => node is YamlScalarNode scalar ? scalar.Value : null;

    /// <summary>Collects problems as <c>file:line:column: field: message</c> lines.</summary>
    private sealed class Problems(string fileName)
    {
        private readonly List<string> _lines = [];

        public IReadOnlyList<string> Lines => _lines;

        public int Count => _lines.Count;

        public void Add(YamlNode? node, string field, string message) =>
            _lines.Add(node is null ? $"{fileName}: {field}: {message}" : $"{fileName}:{node.Start.Line}:{node.Start.Column}: {field}: {message}");
    }
}
