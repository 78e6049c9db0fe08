using Microsoft.Data.Sqlite;

namespace Lifeline.Storage.Sqlite.Tests;

/// <summary>
/// Another connection that writes (as a checkpoint truncating the log does) while the writer's
/// transaction has read: SQLite refuses the writer's stale snapshot at once, and the writer must
/// begin again rather than fail the signal.
/// </summary>
public sealed class WriterBusyTests : IAsyncLifetime
{
    private SqliteFixture _f = null!;

    public async Task InitializeAsync() => _f = await SqliteFixture.OpenAsync();

    public async Task DisposeAsync() => await _f.DisposeAsync();

    [Fact]
    public async Task A_check_result_recorded_while_another_connection_commits_a_write_is_stored_not_refused()
    {
        var monitor = await _f.Monitors.AddAsync(new Monitor
        {
            Id = Secrets.NewId(),
            Name = "shop",
            Kind = MonitorKind.Http,
            Target = "http://127.0.0.1:9/",
            CreatedAt = _f.Clock.GetUtcNow(),
        }, CancellationToken.None);
        using var other = new SqliteConnection($"Data Source={_f.DatabasePath};Pooling=False");
        other.Open();
        using (var begin = other.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE; INSERT INTO settings (key, value) VALUES ('busy-test', 'x');";
            begin.ExecuteNonQuery();
        }

        // The writer reads the monitor, then waits for the write lock the other connection holds.
        var recording = _f.Monitors.RecordAsync(new SignalAddress { MonitorId = monitor.Id },
            new Signal { Kind = SignalKind.Check, Ok = true, At = _f.Clock.GetUtcNow(), Message = "HTTP 200", Location = "paris" }, CancellationToken.None);
        await Task.Delay(300);
        using (var commit = other.CreateCommand())
        {
            commit.CommandText = "COMMIT";
            commit.ExecuteNonQuery();
        }

        var result = await recording.WaitAsync(TimeSpan.FromSeconds(30));
        result.Outcome.ShouldBe(SignalOutcome.Recorded);
        (await _f.Monitors.EventsAsync(monitor.Id, 5, CancellationToken.None)).ShouldHaveSingleItem().Location.ShouldBe("paris");
    }
}
