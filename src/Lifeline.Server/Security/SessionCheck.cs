using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Lifeline.Server.Security;

/// <summary>
/// Checks each request's session against its user: a deleted user, or one whose password or role
/// changed (a new security stamp), is signed out. What the store says is kept for
/// <see cref="LifelineOptions.SessionRecheckSeconds"/>: a change made on this node ends sessions at
/// once, one made on another node of a cluster within that time.
/// </summary>
public sealed class SessionCheck(IUserStore store, TimeProvider clock, IOptions<LifelineOptions> options)
{
    private readonly ConcurrentDictionary<string, (User? User, DateTimeOffset Until)> _known = new(StringComparer.Ordinal);
    private readonly TimeSpan _keep = TimeSpan.FromSeconds(options.Value.SessionRecheckSeconds);

    /// <summary>The user when the session's stamp is still theirs, else null.</summary>
    public async Task<User?> CurrentAsync(string userId, string stamp, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (!_known.TryGetValue(userId, out var known) || known.Until <= now)
        {
            known = (await store.FindUserAsync(userId, ct), now + _keep);
            if (_known.Count > 10_000)
            {
                _known.Clear();
            }
            _known[userId] = known;
        }
        return known.User is { } user && user.SecurityStamp == stamp ? user : null;
    }

    /// <summary>Looks the user up again on their next request (after a change on this node).</summary>
    public void Forget(string userId) => _known.TryRemove(userId, out _);
}
