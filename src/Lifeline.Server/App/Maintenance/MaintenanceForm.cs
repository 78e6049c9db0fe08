using System.Globalization;
using System.Text.Json.Nodes;
using Lifeline.Server.App.Forms;
using Microsoft.AspNetCore.Http;

namespace Lifeline.Server.App.Maintenance;

/// <summary>
/// The maintenance window form, as typed; <see cref="ToBody"/> makes the admin API's body with the
/// fields of the chosen kind, so the API's rules (<c>MaintenanceInput</c>) decide what is valid.
/// Times are entered in UTC.
/// </summary>
public sealed class MaintenanceForm
{
    /// <summary>The form's kinds: <c>once</c>, <c>recurring</c>, <c>manual</c>.</summary>
    public string Kind { get; set; } = "once";
    public string Name { get; set; } = "";
    public string Effect { get; set; } = "mute";
    public List<string> Monitors { get; set; } = [];
    public string Tags { get; set; } = "";
    public string Start { get; set; } = "";
    public string End { get; set; } = "";
    public string Schedule { get; set; } = "";
    public string Duration { get; set; } = "";
    public string Tz { get; set; } = "UTC";

    public static string KindOf(MaintenanceKind kind) => kind switch
    {
        MaintenanceKind.Recurring => "recurring",
        MaintenanceKind.Manual => "manual",
        _ => "once",
    };

    /// <summary>A time as a datetime-local field shows it, in UTC.</summary>
    public static string Local(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture) ?? "";

    public static MaintenanceForm From(MaintenanceWindow w)
    {
        ArgumentNullException.ThrowIfNull(w);
        return new MaintenanceForm
        {
            Kind = KindOf(w.Kind),
            Name = w.Name,
            Effect = w.Effect == MaintenanceEffect.Pause ? "pause" : "mute",
            Monitors = [.. w.Monitors],
            Tags = string.Join(", ", w.Tags),
            Start = Local(w.Start),
            End = Local(w.End),
            Schedule = w.Schedule ?? "",
            Duration = FormValues.Seconds(w.Duration),
            Tz = w.Tz,
        };
    }

    public static MaintenanceForm From(IFormCollection form) => new()
    {
        Kind = FormValues.Text(form, "kind"),
        Name = FormValues.Text(form, "name"),
        Effect = FormValues.Text(form, "effect"),
        Monitors = FormValues.Values(form, "monitors"),
        Tags = FormValues.Text(form, "tags"),
        Start = FormValues.Text(form, "start"),
        End = FormValues.Text(form, "end"),
        Schedule = FormValues.Text(form, "schedule"),
        Duration = FormValues.Text(form, "duration"),
        Tz = FormValues.Text(form, "tz"),
    };

    public JsonObject ToBody(bool creating)
    {
        var body = new JsonObject
        {
            ["name"] = Name,
            ["effect"] = Effect,
            ["monitors"] = FormValues.Array(Monitors),
            ["tags"] = FormValues.Array(FormValues.Split(Tags)),
        };
        switch (Kind)
        {
            case "once":
                // datetime-local gives no zone: the API reads a time without one as UTC.
                body["start"] = Start;
                body["end"] = End;
                break;
            case "recurring":
                body["schedule"] = Schedule;
                body["duration"] = FormValues.Number(Duration) ?? JsonValue.Create("");
                if (Tz.Length > 0)
                {
                    body["tz"] = Tz;
                }
                break;
            case "manual" when creating:
                body["manual"] = true;
                break;
            default:
                break;
        }
        return FormValues.AsReceived(body);
    }
}
