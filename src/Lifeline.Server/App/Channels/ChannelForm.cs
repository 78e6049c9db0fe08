using System.Text.Json.Nodes;
using Lifeline.Server.App.Forms;
using Lifeline.Server.Edits;
using Lifeline.Server.Endpoints;
using Microsoft.AspNetCore.Http;

namespace Lifeline.Server.App.Channels;

/// <summary>How a channel setting is entered and shown back.</summary>
public enum SettingInput
{
    Text,
    Url,
    /// <summary>Never shown back; left blank on an edit, the stored value stays.</summary>
    Secret,
    /// <summary>A URL that is itself the credential: shown as its host only, kept when left blank.</summary>
    SecretUrl,
    /// <summary>Several values, separated by commas or lines.</summary>
    List,
}

/// <summary>One setting of a channel kind (CONTRACT §3), named as the API names it.</summary>
public sealed record ChannelSetting(string Name, string Label, SettingInput Input, bool Required, string? Hint = null);

/// <summary>
/// The channel form: the settings each kind takes, and the API body made from what was typed, so
/// the kind's own checks (the same as the API's) decide what is valid.
/// </summary>
public sealed class ChannelForm
{
    public static IReadOnlyDictionary<string, IReadOnlyList<ChannelSetting>> Kinds { get; } = new Dictionary<string, IReadOnlyList<ChannelSetting>>
    {
        ["webhook"] =
        [
            new("url", "URL", SettingInput.Url, true, "Receives a JSON POST per notice."),
            new("secret", "Signing secret", SettingInput.Secret, false, "Signs each notice (webhook-signature header)."),
        ],
        ["telegram"] =
        [
            new("botToken", "Bot token", SettingInput.Secret, true, "From BotFather, like 123456:ABC-DEF."),
            new("chatId", "Chat id", SettingInput.Text, true, "A number such as -1001234567890, or @channelname."),
            new("apiBase", "API base", SettingInput.Url, false, "Default https://api.telegram.org."),
        ],
        ["email"] =
        [
            new("to", "To", SettingInput.List, true, "Addresses, comma separated. The server's SMTP settings send them."),
        ],
        ["slack"] = [new("url", "Incoming webhook URL", SettingInput.SecretUrl, true)],
        ["discord"] = [new("url", "Webhook URL", SettingInput.SecretUrl, true)],
        ["teams"] = [new("url", "Workflow webhook URL", SettingInput.SecretUrl, true)],
        ["ntfy"] =
        [
            new("url", "Server or topic URL", SettingInput.Url, true, "https://ntfy.sh/my-topic, or the server root with a topic."),
            new("topic", "Topic", SettingInput.Text, false, "Needed when the URL is the server root."),
        ],
        ["gotify"] =
        [
            new("url", "Server URL", SettingInput.Url, true),
            new("token", "Application token", SettingInput.Secret, true),
        ],
        ["pagerduty"] =
        [
            new("routingKey", "Routing key", SettingInput.Secret, true, "An Events API v2 integration key."),
            new("apiBase", "API base", SettingInput.Url, false, "Default https://events.pagerduty.com."),
        ],
    };

    public string Kind { get; set; } = "webhook";
    public string Name { get; set; } = "";

    /// <summary>What was typed per setting; secrets are never filled in from the store.</summary>
    public Dictionary<string, string> Values { get; } = new(StringComparer.Ordinal);

    public IReadOnlyList<ChannelSetting> Settings => Kinds.TryGetValue(Kind, out var settings) ? settings : [];

    public string Value(string name) => Values.TryGetValue(name, out var value) ? value : "";

    /// <summary>The form for an existing channel: plain settings as stored, secrets left blank.</summary>
    public static ChannelForm From(ChannelConfig channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var form = new ChannelForm { Kind = channel.Kind, Name = channel.Name };
        foreach (var setting in form.Settings.Where(s => s.Input is not (SettingInput.Secret or SettingInput.SecretUrl)))
        {
            form.Values[setting.Name] = channel.Settings[setting.Name] switch
            {
                JsonArray items => string.Join(", ", items.Select(i => i?.ToString())),
                JsonValue value => value.ToString(),
                _ => "",
            };
        }
        return form;
    }

    public static ChannelForm From(IFormCollection form, string? fixedKind)
    {
        ArgumentNullException.ThrowIfNull(form);
        var result = new ChannelForm { Kind = fixedKind ?? FormValues.Text(form, "kind"), Name = FormValues.Text(form, "name") };
        foreach (var setting in result.Settings)
        {
            result.Values[setting.Name] = FormValues.Text(form, setting.Name);
        }
        return result;
    }

    /// <summary>
    /// The API body. A blank secret is left out (an edit keeps the stored one); a blank optional
    /// setting is left out of a create and cleared by an edit.
    /// </summary>
    public JsonObject ToBody(bool creating)
    {
        var body = new JsonObject { ["name"] = Name };
        if (creating)
        {
            body["kind"] = Kind;
        }
        foreach (var setting in Settings)
        {
            var text = Value(setting.Name);
            if (text.Length == 0)
            {
                if (!creating && setting.Input is not (SettingInput.Secret or SettingInput.SecretUrl))
                {
                    body[setting.Name] = null;
                }
                continue;
            }
            body[setting.Name] = setting.Input == SettingInput.List ? FormValues.Array(FormValues.Split(text)) : text;
        }
        return FormValues.AsReceived(body);
    }

    /// <summary>How a stored secret is shown: that one is set, and for a URL its host.</summary>
    public static string? StoredHint(ChannelConfig? channel, ChannelSetting setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        if (channel?.Settings[setting.Name] is not JsonValue value || !value.TryGetValue<string>(out var text) || text.Length == 0)
        {
            return null;
        }
        return setting.Input == SettingInput.SecretUrl ? Redact.Url(text) : Redact.Masked;
    }

    /// <summary>Whether the setting is one never shown back (see <see cref="ChannelWrites.SecretFields"/>).</summary>
    public static bool IsSecret(ChannelSetting setting) => setting.Input is SettingInput.Secret or SettingInput.SecretUrl;
}
