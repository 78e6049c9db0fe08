using Lifeline.Cli.Agent;

namespace Lifeline.Cli.Tests.Agent;

public class AgentConfigTests
{
    [Fact]
    public void A_valid_file_gives_one_spec_per_heartbeat()
    {
        var specs = AgentConfig.Parse("""
            heartbeats:
              - name: web
                url: https://lifeline.example.com/api/push/Kq3xV9
                interval: 30s
                check:
                  command: systemctl is-active --quiet nginx
                  timeout: 5
              - url: http://127.0.0.1:5080/ping/Zt81Qe
                interval: 5m
                check:
                  url: http://127.0.0.1:8080/healthz
              - url: http://127.0.0.1:5080/api/push/plain
            """, "agent.yml");

        specs.Count.ShouldBe(3);
        specs[0].ShouldBe(new HeartbeatSpec("web", new Uri("https://lifeline.example.com/api/push/Kq3xV9"), TimeSpan.FromSeconds(30),
            new CommandCheck("systemctl is-active --quiet nginx", TimeSpan.FromSeconds(5))));
        specs[1].Interval.ShouldBe(TimeSpan.FromMinutes(5));
        specs[1].Check.ShouldBe(new UrlCheck(new Uri("http://127.0.0.1:8080/healthz"), AgentConfig.DefaultCheckTimeout));
        specs[1].Name.ShouldBe("heartbeats[1] (127.0.0.1)");
        specs[2].Interval.ShouldBe(AgentConfig.DefaultInterval);
        specs[2].Check.ShouldBeNull();
    }

    [Fact]
    public void Every_problem_is_reported_with_its_line_and_field()
    {
        var error = Should.Throw<AgentConfig.InvalidException>(() => AgentConfig.Parse("""
            heartbeats:
              - name: web
                url: not a url
                interval: often
                chek:
                  command: true
              - name: api
                interval: 10
                check:
                  command: true
                  url: http://127.0.0.1/
            """, "agent.yml"));

        error.Problems.ShouldBe([
            "agent.yml:5:5: heartbeats[0].chek: unknown field; expected one of: name, url, interval, check",
            "agent.yml:3:10: heartbeats[0].url: 'not a url' is not an absolute http:// or https:// URL",
            "agent.yml:4:15: heartbeats[0].interval: 'often' is not a duration: write seconds (60) or a number with a unit (500ms, 30s, 5m, 1h)",
            "agent.yml:7:5: heartbeats[1].url: missing: the monitor's push URL (https://host/api/push/<token> or https://host/ping/<token>)",
            "agent.yml:10:7: heartbeats[1].check: has both 'command' and 'url'; pick one",
        ], ignoreOrder: true);
    }

    [Fact]
    public void Broken_yaml_names_the_line()
    {
        var error = Should.Throw<AgentConfig.InvalidException>(() => AgentConfig.Parse("heartbeats:\n  - url: http://127.0.0.1/api/push/x\n    interval: [60\n", "agent.yml"));

        error.Problems.ShouldHaveSingleItem().ShouldStartWith("agent.yml:4:");
        error.Problems[0].ShouldContain("not valid YAML");
    }

    [Theory]
    [InlineData("", "expected a mapping with a 'heartbeats' list")]
    [InlineData("heartbeats: []", "agent.yml:1:13: heartbeats: must be a list with at least one heartbeat")]
    [InlineData("beats:\n  - url: http://127.0.0.1/api/push/x", "agent.yml:1:1: beats: unknown field")]
    [InlineData("heartbeats:\n  - url: http://127.0.0.1/api/push/x\n    interval: 0.2", "agent.yml:3:15: heartbeats[0].interval: must be at least 1 s")]
    [InlineData("heartbeats:\n  - name: a\n    url: http://127.0.0.1/api/push/x\n  - name: A\n    url: http://127.0.0.1/api/push/y", "agent.yml:4:5: heartbeats[1].name: 'A' is used twice")]
    public void Mistakes_are_explained(string yaml, string expected)
    {
        var error = Should.Throw<AgentConfig.InvalidException>(() => AgentConfig.Parse(yaml, "agent.yml"));

        error.Message.ShouldContain(expected);
    }
}
