using System.Text.Json.Nodes;

namespace Lifeline.Server.Tests.Config;

/// <summary>The real <c>lifeline serve --config</c> process.</summary>
public sealed class ConfigProcessTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "lifeline-tests", "config-process-" + Guid.NewGuid().ToString("N"));

    public ConfigProcessTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task An_invalid_config_file_at_start_is_refused_with_exit_code_2_naming_each_problem_with_its_place()
    {
        var path = Path.Combine(_folder, "lifeline.yml");
        await File.WriteAllTextAsync(path, """
            channels:
              - name: ops
                kind: carrier-pigeon
            monitors:
              - name: backup
                kind: push
                period: soon
                channels: [ops, nowhere]
            """.ReplaceLineEndings("\n"));

        var (code, output) = await LifelineProcess.RunToExitAsync(Path.Combine(_folder, "data"), TimeSpan.FromSeconds(60), "--config", path);

        code.ShouldBe(2, output);
        output.ShouldNotContain("   at ", customMessage: "a refusal at start is a plain message, not a stack trace");
        output.ShouldContain($"{path}:3:5: channel 'ops': kind must be one of");
        output.ShouldContain($"{path}:7:5: monitor 'backup': period must be");
        output.ShouldContain($"{path}:8:5: monitor 'backup': channels: no channel named 'nowhere'");
    }

    [Fact]
    public async Task The_process_applies_a_valid_config_file_before_it_takes_requests()
    {
        var path = Path.Combine(_folder, "lifeline.yml");
        await File.WriteAllTextAsync(path, "monitors:\n  - name: backup\n    period: 1h\n");

        await using var server = await LifelineProcess.StartAsync(Path.Combine(_folder, "data"), null, "--config", path);
        var monitors = JsonNode.Parse(await server.Admin.GetStringAsync("api/v1/monitors"))!["items"]!.AsArray();

        var backup = monitors.Single()!;
        backup["name"]!.GetValue<string>().ShouldBe("backup");
        backup["period"]!.GetValue<double>().ShouldBe(3600);
        backup["managed"]!.GetValue<bool>().ShouldBeTrue();
    }

    [Fact]
    public async Task A_config_file_that_is_not_yaml_is_refused_at_start_with_its_line_and_column()
    {
        var path = Path.Combine(_folder, "broken.yml");
        await File.WriteAllTextAsync(path, "monitors:\n  - name: a\n    tags: [one, two\n");

        var (code, output) = await LifelineProcess.RunToExitAsync(Path.Combine(_folder, "data"), TimeSpan.FromSeconds(60), "--config", path);

        code.ShouldBe(2, output);
        output.ShouldContain($"{path}:");
        output.ShouldMatch($@"{System.Text.RegularExpressions.Regex.Escape(path)}:\d+:\d+: ");
    }
}
