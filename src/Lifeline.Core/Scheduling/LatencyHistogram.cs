namespace Lifeline.Core;

/// <summary>
/// Fixed latency buckets for hourly rollups: bucket <c>i</c> holds durations up to
/// <see cref="UpperBoundMs"/>(i) milliseconds, growing by about a quarter each step from 1 ms to
/// about 2 minutes, so percentiles read from it are within about 25 %.
/// </summary>
public static class LatencyHistogram
{
    public const int BucketCount = 56;

    private static readonly long[] Bounds = BuildBounds();

    public static long UpperBoundMs(int bucket) => Bounds[bucket];

    /// <summary>The bucket a duration falls into; the last bucket takes everything longer.</summary>
    public static int BucketOf(long durationMs)
    {
        var index = Array.BinarySearch(Bounds, Math.Max(0, durationMs));
        return Math.Min(index >= 0 ? index : ~index, BucketCount - 1);
    }

    /// <summary>Adds bucket counts together (shorter lists count as zeros).</summary>
    public static long[] Sum(IEnumerable<IReadOnlyList<long>> histograms)
    {
        ArgumentNullException.ThrowIfNull(histograms);
        var total = new long[BucketCount];
        foreach (var histogram in histograms)
        {
            for (var i = 0; i < Math.Min(BucketCount, histogram.Count); i++)
            {
                total[i] += histogram[i];
            }
        }
        return total;
    }

    /// <summary>The upper bound, in milliseconds, of the bucket holding quantile <paramref name="q"/> (0..1); null when empty.</summary>
    public static long? Percentile(IReadOnlyList<long> buckets, double q)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        var count = buckets.Sum();
        if (count == 0)
        {
            return null;
        }
        var rank = (long)Math.Ceiling(q * count);
        long seen = 0;
        for (var i = 0; i < buckets.Count; i++)
        {
            seen += buckets[i];
            if (seen >= Math.Max(1, rank))
            {
                return Bounds[Math.Min(i, BucketCount - 1)];
            }
        }
        return Bounds[BucketCount - 1];
    }

    private static long[] BuildBounds()
    {
        var bounds = new long[BucketCount];
        double bound = 1;
        for (var i = 0; i < BucketCount; i++)
        {
            bounds[i] = i == 0 ? 1 : Math.Max(bounds[i - 1] + 1, (long)Math.Round(bound));
            bound *= 1.25;
        }
        return bounds;
    }
}
