using System.Text.Json.Nodes;
using Lifeline.Server.App.Forms;
using Microsoft.AspNetCore.Http;

namespace Lifeline.Server.App.Monitors;

/// <summary>
/// What the monitor form holds, as typed. <see cref="ToBody"/> turns it into the admin API's JSON
/// body, with only the fields of the chosen kind, so the API's rules decide what is valid.
/// Field names are the API's, so its errors land next to the right field.
/// </summary>
public sealed class MonitorForm
{
    public string Kind { get; set; } = "http";
    public string Name { get; set; } = "";
    public string Slug { get; set; } = "";
    public string Tags { get; set; } = "";
    public List<string> Channels { get; set; } = [];
    public List<string> DependsOn { get; set; } = [];
    public string RemindEvery { get; set; } = "";
    public bool NotifyRecovery { get; set; } = true;

    public string Period { get; set; } = "60";
    public string Grace { get; set; } = "0";
    public string Schedule { get; set; } = "";
    public string Tz { get; set; } = "UTC";
    public bool ManualResume { get; set; }

    public string Target { get; set; } = "";
    public string Method { get; set; } = "GET";
    public string Headers { get; set; } = "";
    public string Body { get; set; } = "";
    public string Interval { get; set; } = "60";
    public string Timeout { get; set; } = "10";
    public string Retries { get; set; } = "0";
    public string Conditions { get; set; } = "";
    public List<string> Locations { get; set; } = [Monitor.LocalLocation];
    public string Quorum { get; set; } = "";
    /// <summary>Whether the form showed the locations (only when some exist); otherwise they are left as they are.</summary>
    public bool LocationsShown { get; set; }

    public static MonitorForm From(Monitor m)
    {
        ArgumentNullException.ThrowIfNull(m);
        return new MonitorForm
        {
            Kind = WireNames.Of(m.Kind),
            Name = m.Name,
            Slug = m.Slug ?? "",
            Tags = string.Join(", ", m.Tags),
            Channels = [.. m.Channels],
            DependsOn = [.. m.DependsOn],
            RemindEvery = FormValues.Seconds(m.RemindEvery),
            NotifyRecovery = m.NotifyRecovery,
            Period = FormValues.Seconds(m.Period),
            Grace = FormValues.Seconds(m.Grace),
            Schedule = m.Schedule ?? "",
            Tz = m.Tz,
            ManualResume = m.ManualResume,
            Target = m.Target ?? "",
            Method = m.Method ?? "",
            Headers = string.Join("\n", m.Headers.Select(h => $"{h.Key}: {h.Value}")),
            Body = m.Body ?? "",
            Interval = FormValues.Seconds(m.Interval),
            Timeout = FormValues.Seconds(m.Timeout),
            Retries = m.Retries.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Conditions = string.Join("\n", m.Conditions),
            Locations = [.. m.Locations],
            Quorum = m.Quorum?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
        };
    }

    public static MonitorForm From(IFormCollection form) => new()
    {
        Kind = FormValues.Text(form, "kind"),
        Name = FormValues.Text(form, "name"),
        Slug = FormValues.Text(form, "slug"),
        Tags = FormValues.Text(form, "tags"),
        Channels = FormValues.Values(form, "channels"),
        DependsOn = FormValues.Values(form, "dependsOn"),
        RemindEvery = FormValues.Text(form, "remindEvery"),
        NotifyRecovery = FormValues.Checked(form, "notifyRecovery"),
        Period = FormValues.Text(form, "period"),
        Grace = FormValues.Text(form, "grace"),
        Schedule = FormValues.Text(form, "schedule"),
        Tz = FormValues.Text(form, "tz"),
        ManualResume = FormValues.Checked(form, "manualResume"),
        Target = FormValues.Text(form, "target"),
        Method = FormValues.Text(form, "method"),
        Headers = FormValues.Text(form, "headers"),
        Body = form.TryGetValue("body", out var body) ? body.ToString() : "",
        Interval = FormValues.Text(form, "interval"),
        Timeout = FormValues.Text(form, "timeout"),
        Retries = FormValues.Text(form, "retries"),
        Conditions = FormValues.Text(form, "conditions"),
        Locations = FormValues.Values(form, "locations"),
        Quorum = FormValues.Text(form, "quorum"),
        LocationsShown = form.ContainsKey("locationsShown"),
    };

    /// <summary>The API body for a create (<paramref name="creating"/>) or a PATCH; problems only the form can have go to <paramref name="errors"/>.</summary>
    public JsonObject ToBody(bool creating, List<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var body = new JsonObject
        {
            ["name"] = Name,
            ["tags"] = FormValues.Array(FormValues.Split(Tags)),
            ["channels"] = FormValues.Array(Channels),
            ["dependsOn"] = FormValues.Array(DependsOn),
            ["notifyRecovery"] = NotifyRecovery,
        };
        if (creating)
        {
            body["kind"] = Kind;
        }
        // A blank optional field is left out of a create (the default holds) and clears it on an edit.
        if (Slug.Length > 0 || !creating)
        {
            body["slug"] = Slug.Length > 0 ? Slug : null;
        }
        if (RemindEvery.Length > 0 || !creating)
        {
            body["remindEvery"] = FormValues.Number(RemindEvery);
        }
        if (Kind == "push")
        {
            SetNumber(body, "period", Period);
            SetNumber(body, "grace", Grace);
            if (Tz.Length > 0)
            {
                body["tz"] = Tz;
            }
            body["schedule"] = Schedule;
            body["manualResume"] = ManualResume;
            return FormValues.AsReceived(body);
        }
        body["target"] = Target;
        SetNumber(body, "interval", Interval);
        SetNumber(body, "timeout", Timeout);
        SetNumber(body, "retries", Retries);
        body["conditions"] = FormValues.Array(FormValues.Lines(Conditions));
        if (LocationsShown)
        {
            // None ticked means the server alone, as a monitor without locations is.
            body["locations"] = FormValues.Array(Locations.Count > 0 ? Locations : [Monitor.LocalLocation]);
            if (Quorum.Length > 0 || !creating)
            {
                body["quorum"] = FormValues.Number(Quorum);
            }
        }
        if (Kind == "http")
        {
            body["method"] = Method.Length > 0 ? Method : null;
            body["body"] = Body.Length > 0 ? Body : null;
            var headers = new JsonObject();
            foreach (var line in FormValues.Lines(Headers))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                {
                    errors.Add(new FieldError("headers", $"headers: each line is Name: value, not \"{line}\""));
                    continue;
                }
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
            body["headers"] = headers;
        }
        return FormValues.AsReceived(body);
    }

    private static void SetNumber(JsonObject body, string field, string text)
    {
        if (FormValues.Number(text) is { } number)
        {
            body[field] = number;
        }
    }
}
