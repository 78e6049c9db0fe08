namespace Lifeline.Cli.Tests.Probe;

public sealed class ProbeCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Help_teaches_with_examples_and_the_exit_codes()
    {
        (await _cli.InvokeAsync("probe", "--help")).ShouldBe(0);

        var help = _cli.Messages.ToString();
        help.ShouldContain("lifeline probe --server https://lifeline.example.com --token");
        help.ShouldContain("Exit codes: 0 stopped, 1 invalid arguments, 2 token or credential refused.");
        help.ShouldContain("--spool-max-mb");
        help.ShouldContain("--concurrency");
    }

    [Theory]
    [InlineData("--server", "not a url")]
    [InlineData("--server", "http://127.0.0.1:1", "--concurrency", "0")]
    [InlineData("--server", "http://127.0.0.1:1", "--spool-max-mb", "0")]
    public async Task Invalid_arguments_exit_1_and_name_the_option(params string[] args)
    {
        (await _cli.InvokeAsync(["probe", .. args])).ShouldBe(1);

        _cli.Messages.ToString().ShouldContain(args[^2]);
    }

    [Fact]
    public async Task A_missing_server_exits_1()
    {
        (await _cli.InvokeAsync("probe", "--token", "abc")).ShouldBe(1);

        _cli.Messages.ToString().ShouldContain("--server");
    }
}
