namespace Lifeline.Core;

/// <summary>
/// One UTC day of a monitor's uptime: the share of the time it was watched that it was not in an
/// incident (null when it was not watched that day at all), and the time it was down.
/// </summary>
public sealed record UptimeDay(DateOnly Day, double? Ratio, TimeSpan Downtime);
