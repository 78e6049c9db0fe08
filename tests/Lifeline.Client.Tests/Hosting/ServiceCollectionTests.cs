using Lifeline.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Lifeline.Client.Tests.Hosting;

public class ServiceCollectionTests
{
    [Fact]
    public async Task AddLifelineHeartbeat_beats_while_the_host_runs()
    {
        await using var server = await RecordingServer.StartAsync();
        var services = new ServiceCollection()
            .AddLifelineHeartbeat(server.Url("/api/push/first"), TimeSpan.FromMinutes(5))
            .AddLifelineHeartbeat(server.Url("/api/push/second"), TimeSpan.FromMinutes(5));
        await using var provider = services.BuildServiceProvider();
        var hosted = provider.GetServices<IHostedService>().ToList();
        hosted.Count.ShouldBe(2);

        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }
        var requests = await server.WaitForAsync(2);
        foreach (var service in hosted)
        {
            await service.StopAsync(CancellationToken.None);
        }

        requests.Select(r => r.Path).Order().ShouldBe(["/api/push/first", "/api/push/second"]);
    }

    [Fact]
    public void AddLifelineHealthCheckPublisher_registers_a_publisher_and_its_period()
    {
        var services = new ServiceCollection()
            .AddLifelineHealthCheckPublisher("http://127.0.0.1:5080/api/push/tok123", TimeSpan.FromSeconds(45));
        using var provider = services.BuildServiceProvider();

        provider.GetServices<IHealthCheckPublisher>().ShouldHaveSingleItem();
        provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<HealthCheckPublisherOptions>>().Value.Period.ShouldBe(TimeSpan.FromSeconds(45));
    }

    [Fact]
    public void A_url_that_is_not_http_is_refused_at_registration()
    {
        Should.Throw<ArgumentException>(() => new ServiceCollection().AddLifelineHeartbeat("ftp://127.0.0.1/x", TimeSpan.FromMinutes(1)));
    }
}
