namespace Lifeline.Storage.Conformance;

/// <summary>The base of every conformance test class: a fresh store per test.</summary>
public abstract class StoreTests : IAsyncLifetime
{
    protected StoreFixture F { get; private set; } = null!;

    protected static CancellationToken Ct => CancellationToken.None;

    /// <summary>Opens a fresh, empty store of the kind under test.</summary>
    protected abstract Task<StoreFixture> OpenStoreAsync();

    public virtual async Task InitializeAsync() => F = await OpenStoreAsync();

    public virtual async Task DisposeAsync() => await F.DisposeAsync();
}
