using Lifeline.Testing;

namespace Lifeline.Channels.Tests.Support;

/// <summary>
/// What every HTTP channel's tests share: a manual clock at <see cref="Notices.At"/>, one
/// HttpClient, and a real receiver on loopback that answers as the real service would.
/// </summary>
public abstract class ChannelTestBase(Reply? answer = null) : IAsyncLifetime, IDisposable
{
    protected ManualClock Clock { get; } = new(Notices.At);
    protected HttpClient Http { get; } = new();
    protected RecordingServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await RecordingServer.StartAsync();
        if (answer is not null)
        {
            Server.Responder = _ => answer;
        }
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();

    public void Dispose()
    {
        Http.Dispose();
        GC.SuppressFinalize(this);
    }
}
