using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Lifeline.Storage.Postgres;

/// <summary>
/// Reaching the database: a call that cannot reach it throws <see cref="StoreUnavailableException"/>
/// (pushes answer 503) and records the reason for /healthz until the next call that reaches it.
/// At start, the same failures become one <see cref="StoreStartException"/> naming the host, the
/// database or the credentials. Messages never carry the password.
/// </summary>
public sealed partial class PostgresStore : IStoreHealth
{
    private sealed record Outage(string Problem, DateTimeOffset Since);

    private Outage? _outage;

    /// <summary>Whether <see cref="MigrateAsync"/> has succeeded: before that, a failure is a refused start, not an outage.</summary>
    private volatile bool _opened;

    /// <inheritdoc/>
    public string? Problem => Volatile.Read(ref _outage)?.Problem;

    /// <inheritdoc/>
    public DateTimeOffset? ProblemSince => Volatile.Read(ref _outage)?.Since;

    /// <summary>A call reached the database: any outage is over.</summary>
    private void Reached()
    {
        if (Volatile.Read(ref _outage) is not null && Interlocked.Exchange(ref _outage, null) is { } over)
        {
            _logger.LogInformation("PostgreSQL reachable again after: {Problem}", over.Problem);
        }
    }

    /// <summary>
    /// When <paramref name="ex"/> says the database cannot be reached, records the outage and returns
    /// the <see cref="StoreUnavailableException"/> callers get; otherwise null (a bug, a unique key).
    /// </summary>
    private StoreUnavailableException? Unreachable(Exception ex)
    {
        if (ex is StoreUnavailableException already)
        {
            return already;
        }
        if (Reason(ex) is not { } reason)
        {
            return null;
        }
        var problem = $"PostgreSQL unreachable: {reason.Detail}";
        if (!_opened)
        {
            return new StoreUnavailableException($"storage unavailable: {problem}", ex);
        }
        var current = Volatile.Read(ref _outage);
        if (current is null)
        {
            _logger.LogError("PostgreSQL unreachable, so /healthz fails until it answers again: {Problem}", problem);
        }
        Volatile.Write(ref _outage, new Outage(problem, current?.Since ?? _clock.GetUtcNow()));
        return new StoreUnavailableException($"storage unavailable: {problem}; try again later", ex);
    }

    /// <summary>The start failure for <paramref name="ex"/>, when it says the database cannot be reached.</summary>
    private StoreStartException? CannotStart(Exception ex)
    {
        var cause = ex is StoreUnavailableException { InnerException: { } inner } ? inner : ex;
        if (Reason(cause) is not { } reason)
        {
            return null;
        }
        var builder = new NpgsqlConnectionStringBuilder(_options.ConnectionString);
        var where = $"{builder.Host}:{builder.Port.ToString(CultureInfo.InvariantCulture)}";
        var what = reason.Kind switch
        {
            Failure.Database => $"database \"{builder.Database}\" on {where}: {reason.Detail}",
            Failure.Credentials => $"credentials of user \"{builder.Username}\" refused by {where}: {reason.Detail}",
            _ => $"host {where}: {reason.Detail}",
        };
        return new StoreStartException($"cannot connect to PostgreSQL: {what}", cause);
    }

    private enum Failure { Host, Database, Credentials, Lost }

    /// <summary>Why <paramref name="ex"/> means the database is out of reach, or null when it does not.</summary>
    private static (Failure Kind, string Detail)? Reason(Exception ex) => ex switch
    {
        PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName } p => (Failure.Database, p.MessageText),
        PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification } p => (Failure.Credentials, p.MessageText),
        // Connection exceptions (class 08), a server shutting down or starting, too many connections.
        PostgresException p when p.SqlState.StartsWith("08", StringComparison.Ordinal) || p.SqlState.StartsWith("57P", StringComparison.Ordinal)
            || p.SqlState == PostgresErrorCodes.TooManyConnections => (Failure.Lost, p.MessageText),
        PostgresException => null,
        NpgsqlException n when Find<SocketException>(n) is { } socket => (Failure.Host, socket.Message),
        NpgsqlException n when Find<TimeoutException>(n) is not null => (Failure.Host, "no answer in time"),
        NpgsqlException n when n.IsTransient || Find<IOException>(n) is not null => (Failure.Lost, n.InnerException?.Message ?? n.Message),
        SocketException socket => (Failure.Host, socket.Message),
        _ => null,
    };

    private static T? Find<T>(Exception? ex) where T : Exception
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is T found)
            {
                return found;
            }
        }
        return null;
    }
}
