using Lifeline.Cli.Client;
using Lifeline.Cli.Probe;
using Lifeline.Core.Probes;
using Lifeline.Testing;

namespace Lifeline.Cli.Tests.Probe;

public sealed class ResultSpoolTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 5, 12, 0, 0, TimeSpan.Zero);

    private readonly TempFolder _folder = new();
    private readonly StringWriter _log = new();

    public void Dispose()
    {
        _folder.Dispose();
        _log.Dispose();
    }

    private ResultSpool Open(long maxBytes = 1024 * 1024, int batchSize = 500) =>
        new(Path.Combine(_folder.Path, "results"), maxBytes, batchSize, new ConsoleLog(_log, new ManualClock()));

    private static ProbeResult Result(int n) => new()
    {
        Monitor = "m-" + n,
        At = T0.AddSeconds(n),
        Ok = n % 2 == 0,
        Message = "HTTP 200 in 12 ms, result number " + n,
    };

    [Fact]
    public void Batches_come_out_oldest_first_and_at_most_the_batch_size()
    {
        using var spool = Open(batchSize: 3);
        spool.Append([.. Enumerable.Range(0, 7).Select(Result)]);

        var seen = new List<int>();
        while (spool.NextBatch() is { } batch)
        {
            batch.Results.Count.ShouldBeLessThanOrEqualTo(3);
            seen.AddRange(batch.Results.Select(r => int.Parse(r.Monitor[2..], System.Globalization.CultureInfo.InvariantCulture)));
            spool.Delivered(batch);
        }

        seen.ShouldBe(Enumerable.Range(0, 7));
        spool.Pending.ShouldBe(0);
    }

    [Fact]
    public void A_batch_not_yet_delivered_keeps_its_id_even_across_a_restart()
    {
        string id;
        using (var spool = Open())
        {
            spool.Append([Result(1), Result(2)]);
            id = spool.NextBatch()!.Id;
            spool.NextBatch()!.Id.ShouldBe(id);
        }
        using var reopened = Open();

        var again = reopened.NextBatch()!;
        again.Id.ShouldBe(id);
        again.Results.Select(r => r.Monitor).ShouldBe(["m-1", "m-2"]);
    }

    [Fact]
    public void Results_appended_but_not_sealed_survive_a_restart()
    {
        using (var spool = Open())
        {
            spool.Append([Result(1)]);
        }
        using var reopened = Open();
        reopened.Append([Result(2)]);

        reopened.Pending.ShouldBe(2);
        reopened.NextBatch()!.Results.Single().Monitor.ShouldBe("m-1");
    }

    [Fact]
    public void A_full_spool_drops_the_oldest_results_keeps_the_newest_and_logs_how_many()
    {
        using var spool = Open(maxBytes: 20_000, batchSize: 500);
        for (var n = 0; n < 1000; n++)
        {
            spool.Append([Result(n)]);
        }

        spool.Bytes.ShouldBeLessThanOrEqualTo(20_000);
        spool.Dropped.ShouldBeGreaterThan(0);
        (spool.Dropped + spool.Pending).ShouldBe(1000);
        var kept = new List<string>();
        while (spool.NextBatch() is { } batch)
        {
            kept.AddRange(batch.Results.Select(r => r.Monitor));
            spool.Delivered(batch);
        }
        kept[^1].ShouldBe("m-999");
        kept[0].ShouldBe("m-" + spool.Dropped);
        _log.ToString().ShouldContain("Spool full (0.02 MB): dropped the");
    }

    [Fact]
    public void A_line_cut_short_by_a_crash_is_skipped_and_the_rest_is_kept()
    {
        using (var spool = Open())
        {
            spool.Append([Result(1)]);
        }
        var open = Directory.GetFiles(Path.Combine(_folder.Path, "results")).Single();
        File.AppendAllText(open, "{\"monitor\":\"m-2\",\"at\":\"2026-");
        using var reopened = Open();

        reopened.NextBatch()!.Results.Select(r => r.Monitor).ShouldBe(["m-1"]);
    }
}
