using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lifeline.Core;

/// <summary>
/// How a storm of down (or up) notices to one channel becomes one grouped notice. Grouping is
/// decided at dispatch, from the rows in the outbox, so it survives restarts and works the same
/// on every node:
/// <list type="bullet">
/// <item>A lone notice is never delayed.</item>
/// <item>When a channel's oldest pending notice is a down (or up) notice, the pending notices of the
/// same type right behind it go with it, as one notice (at most <see cref="MaxGroup"/>).</item>
/// <item>After a channel was sent a down (or up) notice, its next one of that type waits until the
/// channel's window has passed since that send, and then goes with all that piled up behind it.</item>
/// </list>
/// The window of a channel is its <c>groupSeconds</c> setting when set (0 turns grouping off),
/// else the server's default for kinds that group by default (<see cref="INoticeChannel.GroupsByDefault"/>), else off.
/// </summary>
public sealed class NoticeGrouping
{
    /// <summary>The channel setting that overrides the server's window, in seconds; 0 turns grouping off.</summary>
    public const string Setting = "groupSeconds";

    /// <summary>Longest window a channel may set, in seconds [3600].</summary>
    public const int MaxSeconds = 3600;

    /// <summary>Most notices sent as one group [200]; a longer run goes as several groups.</summary>
    public const int MaxGroup = 200;

    /// <summary>No grouping: every notice goes alone.</summary>
    public static readonly NoticeGrouping Off = new(_ => TimeSpan.Zero);

    private readonly Func<ChannelConfig, TimeSpan> _window;

    public NoticeGrouping(Func<ChannelConfig, TimeSpan> window)
    {
        ArgumentNullException.ThrowIfNull(window);
        _window = window;
    }

    /// <summary>The grouping window of a channel; zero (no grouping) for a deleted one.</summary>
    public TimeSpan WindowFor(ChannelConfig? channel) => channel is null ? TimeSpan.Zero : _window(channel);

    /// <summary>Whether notices of this type are grouped: down and up notices, not test notices.</summary>
    public static bool Groups(string noticeType) => noticeType is Notice.DownType or Notice.UpType;

    /// <summary>
    /// Whether a channel's oldest pending notice waits for the window: a channel was sent a notice of
    /// its type at <paramref name="lastSent"/>, less than the window ago.
    /// </summary>
    public static bool Waits(string noticeType, DateTimeOffset? lastSent, TimeSpan window, DateTimeOffset now) =>
        Groups(noticeType) && window > TimeSpan.Zero && lastSent is { } sent && now < sent + window;

    /// <summary>The window of a channel: its own setting, else <paramref name="serverDefault"/> when its kind groups by default, else none.</summary>
    public static TimeSpan Window(ChannelConfig channel, TimeSpan serverDefault, bool kindGroupsByDefault)
    {
        ArgumentNullException.ThrowIfNull(channel);
        if (Seconds(channel.Settings) is { } seconds)
        {
            return TimeSpan.FromSeconds(Math.Clamp(seconds, 0, MaxSeconds));
        }
        return kindGroupsByDefault ? serverDefault : TimeSpan.Zero;
    }

    /// <summary>The channel's own window in seconds; null when not set (or set to null).</summary>
    public static long? Seconds(JsonObject settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.TryGetPropertyValue(Setting, out var node) || node is not JsonValue value)
        {
            return null;
        }
        return value.GetValueKind() switch
        {
            JsonValueKind.Number when value.TryGetValue<long>(out var number) => number,
            JsonValueKind.String when long.TryParse(value.GetValue<string>(), NumberStyles.None, CultureInfo.InvariantCulture, out var number) => number,
            _ => -1,
        };
    }

    /// <summary>The problem with a channel's <c>groupSeconds</c>, naming the field; null when absent, null or valid.</summary>
    public static string? Validate(JsonObject settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Seconds(settings) is { } seconds && seconds is < 0 or > MaxSeconds
            ? $"'{Setting}' must be a whole number of seconds from 0 (no grouping) to {MaxSeconds}"
            : null;
    }
}
