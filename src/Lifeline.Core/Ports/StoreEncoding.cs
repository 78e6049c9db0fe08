using System.Text;
using System.Text.Json;

namespace Lifeline.Core;

/// <summary>
/// How every store writes the values it keeps as text (paging cursors, event kinds, delivery
/// states, check details), so SQLite and PostgreSQL read each other's data the same way.
/// </summary>
public static class StoreEncoding
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private sealed record Details(bool Unknown, IReadOnlyList<ConditionCheck>? Conditions, DateTimeOffset? CertificateExpiresAt = null, string? Location = null, bool Degraded = false);

    /// <summary>The opaque cursor of a monitor page that ends at this name and id (monitors are listed by name, then id).</summary>
    public static string Cursor(string name, string id) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(name + "\n" + id)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The name and id a <see cref="Cursor"/> holds; null for none; <see cref="ArgumentException"/> for one this server did not give out.</summary>
    public static (string Name, string Id)? ParseCursor(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }
        try
        {
            var padded = cursor.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - (padded.Length % 4)) % 4);
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(padded));
            var split = text.LastIndexOf('\n');
            return split < 0 ? throw new FormatException() : (text[..split], text[(split + 1)..]);
        }
        catch (FormatException)
        {
            throw new ArgumentException("cursor is not one this server gave out", nameof(cursor));
        }
    }

    /// <summary>A LIKE pattern (escaped with a backslash) matching text that contains <paramref name="text"/> literally.</summary>
    public static string ContainsPattern(string text) =>
        "%" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";

    public static SignalKind ParseSignalKind(string text) =>
        Enum.GetValues<SignalKind>().FirstOrDefault(k => Signal.WireName(k) == text);

    public static string StateName(DeliveryState state) => state switch
    {
        DeliveryState.Pending => "pending",
        DeliveryState.Sent => "sent",
        _ => "dead",
    };

    public static DeliveryState ParseState(string text) => text switch
    {
        "pending" => DeliveryState.Pending,
        "sent" => DeliveryState.Sent,
        _ => DeliveryState.Dead,
    };

    /// <summary>The <c>details</c> column of a check event: its condition results and whether it was inconclusive; null for other events.</summary>
    public static string? WriteCheckDetails(Signal signal) =>
        signal.Kind == SignalKind.Check ? JsonSerializer.Serialize(new Details(signal.Unknown, signal.Conditions ?? [], signal.CertificateExpiresAt, signal.Location, signal.Degraded), Json) : null;

    /// <summary><paramref name="e"/> with what its <c>details</c> column holds.</summary>
    public static MonitorEvent ReadCheckDetails(string? json, MonitorEvent e)
    {
        if (json is null || JsonSerializer.Deserialize<Details>(json, Json) is not { } details)
        {
            return e;
        }
        return e with { Conditions = details.Conditions ?? [], Unknown = details.Unknown, CertificateExpiresAt = details.CertificateExpiresAt, Location = details.Location };
    }
}
