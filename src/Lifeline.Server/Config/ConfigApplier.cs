using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lifeline.Server.Edits;
using Lifeline.Server.Endpoints;
using Lifeline.Server.StatusPages;
using Microsoft.Extensions.Logging;

namespace Lifeline.Server.Config;

/// <summary>What one application of the config file did, or every problem that stopped it.</summary>
public sealed record ConfigOutcome(IReadOnlyList<string> Problems, int Created, int Changed, int Deleted)
{
    public bool Applied => Problems.Count == 0;
}

/// <summary>
/// Makes the store hold what the config file declares, through the same writes as the admin API
/// (so the file is judged by the API's rules): what is new is created, what changed is changed, and
/// what this file made and no longer declares is deleted. Things made through the API or the app
/// are never touched. Everything is checked before anything is written, so a file with a problem
/// leaves the last good state as it was. Applying the same file twice changes nothing.
/// Monitors are tied to the file by their key (<see cref="Monitor.ManagedKey"/>); channels (by name)
/// and status pages (by slug) by a map kept in the settings store.
/// </summary>
internal sealed class ConfigApplier(
    MonitorWrites monitorWrites, ChannelWrites channelWrites, IMonitorStore monitors, IChannelStore channels,
    IStatusPageStore pages, ISettingsStore settings, PublicCache cache, TimeProvider clock)
{
    /// <summary>Settings keys of the maps from the file's channel names and page slugs to stored ids.</summary>
    internal const string ChannelMapKey = "config.channels", PageMapKey = "config.statusPages";

    private MonitorWrites MonitorEdits { get; } = monitorWrites;
    private ChannelWrites ChannelEdits { get; } = channelWrites;
    private IMonitorStore MonitorStore { get; } = monitors;
    private IChannelStore ChannelStore { get; } = channels;
    private IStatusPageStore PageStore { get; } = pages;
    private ISettingsStore SettingStore { get; } = settings;
    private PublicCache Cache { get; } = cache;
    private TimeProvider Clock { get; } = clock;

    public async Task<ConfigOutcome> ApplyAsync(string path, ConfigDocument document, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(document);
        var run = new Run(this, path, document);
        await run.LoadAsync(ct);
        await run.CheckAsync(ct);
        if (run.Problems.Count > 0)
        {
            return new ConfigOutcome(run.Problems, 0, 0, 0);
        }
        await run.WriteAsync(ct);
        return new ConfigOutcome(run.Problems, run.Created, run.Changed, run.Deleted);
    }

    /// <summary>One application: what is stored, what the file wants, and what was done.</summary>
    private sealed class Run(ConfigApplier o, string path, ConfigDocument file)
    {
        public List<string> Problems { get; } = [];
        public int Created { get; private set; }
        public int Changed { get; private set; }
        public int Deleted { get; private set; }

        private List<Monitor> _monitors = [];
        private Dictionary<string, Monitor> _managed = [];
        private IReadOnlyList<ChannelConfig> _channels = [];
        private Dictionary<string, string> _channelMap = [];
        private Dictionary<string, string> _pageMap = [];
        /// <summary>The kind each file monitor makes, found while checking.</summary>
        private readonly Dictionary<string, MonitorKind> _kinds = new(StringComparer.Ordinal);
        /// <summary>Stored ids of the file's monitors by key and by name, as they become known.</summary>
        private readonly Dictionary<string, string> _monitorIds = new(StringComparer.Ordinal);

        private void Problem(ConfigItem item, string field, string message)
        {
            var at = item.Of(field);
            Problems.Add($"{path}:{at.Line}:{at.Column}: {message}");
        }

        public async Task LoadAsync(CancellationToken ct)
        {
            string? cursor = null;
            do
            {
                var page = await o.MonitorStore.ListAsync(new MonitorQuery { Limit = 1000, Cursor = cursor }, ct);
                _monitors.AddRange(page.Items);
                cursor = page.NextCursor;
            }
            while (cursor is not null);
            _managed = _monitors.Where(m => m.IsManaged).ToDictionary(m => m.ManagedKey!, StringComparer.Ordinal);
            _channels = await o.ChannelStore.ListAsync(ct);
            var channelIds = _channels.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
            _channelMap = (await MapAsync(ChannelMapKey, ct)).Where(e => channelIds.Contains(e.Value)).ToDictionary(StringComparer.Ordinal);
            var pageIds = (await o.PageStore.PagesAsync(ct)).Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
            _pageMap = (await MapAsync(PageMapKey, ct)).Where(e => pageIds.Contains(e.Value)).ToDictionary(StringComparer.Ordinal);
        }

        /// <summary>Every problem of the file, found without writing anything.</summary>
        public async Task CheckAsync(CancellationToken ct)
        {
            foreach (var item in file.Channels)
            {
                foreach (var error in o.ChannelEdits.Check(item.Body))
                {
                    Problem(item, error.Field, $"channel '{item.Key}': {error.Message}");
                }
            }
            var monitorNames = file.Monitors.Select(m => m.Key).Concat(file.Monitors.Select(m => Text(m.Body, "name") ?? "")).ToHashSet(StringComparer.Ordinal);
            var storedIds = _monitors.Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var item in file.Monitors)
            {
                var body = (JsonObject)item.Body.DeepClone();
                body.Remove("dependsOn");
                var channelRefs = Strings(body, "channels");
                body.Remove("channels");
                var (monitor, errors) = await o.MonitorEdits.CheckCreateAsync(body, ct);
                foreach (var error in errors)
                {
                    Problem(item, error.Field, $"monitor '{item.Key}': {error.Message}");
                }
                _kinds[item.Key] = monitor.Kind;
                if (errors.Count == 0 && _managed.TryGetValue(item.Key, out var current) && current.Kind == monitor.Kind)
                {
                    // The change of a monitor made before: every field the file leaves out goes back to its default.
                    var changeErrors = new List<FieldError>();
                    MonitorInput.Apply(WithDefaults(body, current.Kind), current, creating: false, changeErrors);
                    changeErrors.ForEach(e => Problem(item, e.Field, $"monitor '{item.Key}': {e.Message}"));
                }
                foreach (var name in channelRefs.Where(c => ChannelId(c) is null))
                {
                    Problem(item, "channels", $"monitor '{item.Key}': channels: no channel named '{name}' in this file, and no channel with that id or name");
                }
                foreach (var parent in Strings(item.Body, "dependsOn").Where(d => !monitorNames.Contains(d) && !storedIds.Contains(d)))
                {
                    Problem(item, "dependsOn", $"monitor '{item.Key}': dependsOn: no monitor named '{parent}' in this file, and no monitor with that id");
                }
            }
            foreach (var item in file.StatusPages)
            {
                var errors = new List<FieldError>();
                StatusPageInput.ApplyPage(item.Body, NewPage(), creating: true, errors);
                foreach (var error in errors)
                {
                    Problem(item, FieldOf(error.Message), $"status page '{item.Key}': {error.Message}");
                }
                foreach (var id in PageMonitors(item).Where(id => !monitorNames.Contains(id) && !storedIds.Contains(id)))
                {
                    Problem(item, "groups", $"status page '{item.Key}': groups: no monitor named '{id}' in this file, and no monitor with that id");
                }
                if (!_pageMap.ContainsKey(item.Key) && await o.PageStore.FindPageBySlugAsync(item.Key, ct) is not null)
                {
                    Problem(item, "slug", $"status page '{item.Key}': a status page with this slug exists that this file did not make; rename or delete one of them");
                }
            }
        }

        public async Task WriteAsync(CancellationToken ct)
        {
            // Monitors first leave (also those whose kind changed, to be made again), so slugs and tokens they held are free.
            foreach (var (key, monitor) in _managed.ToList())
            {
                if (!_kinds.TryGetValue(key, out var kind) || kind != monitor.Kind)
                {
                    await o.MonitorEdits.DeleteFromConfigAsync(monitor.Id, ct);
                    _managed.Remove(key);
                    Deleted++;
                }
            }
            await WriteChannelsAsync(ct);
            await WriteMonitorsAsync(ct);
            foreach (var (name, id) in _channelMap.Where(e => !file.Channels.Any(c => c.Key == e.Key)).ToList())
            {
                await o.ChannelEdits.DeleteAsync(id, ct);
                _channelMap.Remove(name);
                Deleted++;
            }
            await SaveMapAsync(ChannelMapKey, _channelMap, ct);
            await WritePagesAsync(ct);
        }

        private async Task WriteChannelsAsync(CancellationToken ct)
        {
            foreach (var item in file.Channels)
            {
                var current = _channelMap.TryGetValue(item.Key, out var id) ? _channels.FirstOrDefault(c => c.Id == id) : null;
                if (current is not null && !string.Equals(current.Kind, Text(item.Body, "kind"), StringComparison.OrdinalIgnoreCase))
                {
                    await o.ChannelEdits.DeleteAsync(current.Id, ct);
                    Deleted++;
                    current = null;
                }
                if (current is null)
                {
                    var created = await o.ChannelEdits.CreateAsync(item.Body, ct);
                    if (Report(item, "channel", created) is { } channel)
                    {
                        _channelMap[item.Key] = channel.Id;
                        Created++;
                    }
                    continue;
                }
                var wanted = Settings(item.Body);
                if (current.Name == item.Key && JsonNode.DeepEquals(NonNull(current.Settings), wanted))
                {
                    continue;
                }
                var body = (JsonObject)item.Body.DeepClone();
                // Settings the file no longer has are cleared.
                foreach (var (setting, _) in current.Settings.Where(s => !wanted.ContainsKey(s.Key)).ToList())
                {
                    body[setting] = null;
                }
                if (Report(item, "channel", await o.ChannelEdits.ChangeAsync(current.Id, body, ct)) is not null)
                {
                    Changed++;
                }
            }
        }

        private async Task WriteMonitorsAsync(CancellationToken ct)
        {
            foreach (var item in file.Monitors)
            {
                var body = (JsonObject)item.Body.DeepClone();
                body.Remove("dependsOn");
                body["channels"] = new JsonArray([.. Strings(item.Body, "channels").Select(c => (JsonNode?)JsonValue.Create(ChannelId(c)))]);
                if (!_managed.TryGetValue(item.Key, out var current))
                {
                    if (Report(item, "monitor", await o.MonitorEdits.CreateAsync(body, ct, managedKey: item.Key)) is { } created)
                    {
                        _managed[item.Key] = created;
                        Created++;
                    }
                    continue;
                }
                // Fields the file leaves out go back to their defaults, as if the monitor were made anew.
                var full = WithDefaults(body, current.Kind);
                var edited = MonitorInput.Apply(full, current, creating: false, []);
                if (JsonNode.DeepEquals(MonitorJson.Monitor(edited, ""), MonitorJson.Monitor(current, "")))
                {
                    continue;
                }
                if (Report(item, "monitor", await o.MonitorEdits.ChangeFromConfigAsync(current.Id, full, ct)) is { } changed)
                {
                    _managed[item.Key] = changed;
                    Changed++;
                }
            }
            foreach (var item in file.Monitors.Where(m => _managed.ContainsKey(m.Key)))
            {
                _monitorIds[item.Key] = _managed[item.Key].Id;
                _monitorIds.TryAdd(Text(item.Body, "name") ?? item.Key, _managed[item.Key].Id);
            }
            // Dependencies once every monitor of the file exists.
            foreach (var item in file.Monitors.Where(m => _managed.ContainsKey(m.Key)))
            {
                var current = _managed[item.Key];
                var parents = Strings(item.Body, "dependsOn").Select(MonitorId).Distinct(StringComparer.Ordinal).ToList();
                if (parents.SequenceEqual(current.DependsOn, StringComparer.Ordinal))
                {
                    continue;
                }
                var body = new JsonObject { ["dependsOn"] = new JsonArray([.. parents.Select(p => (JsonNode?)JsonValue.Create(p))]) };
                if (Report(item, "monitor", await o.MonitorEdits.ChangeFromConfigAsync(current.Id, body, ct)) is not null)
                {
                    Changed++;
                }
            }
        }

        private async Task WritePagesAsync(CancellationToken ct)
        {
            foreach (var item in file.StatusPages)
            {
                var body = (JsonObject)item.Body.DeepClone();
                body.TryAdd("description", "");
                body.TryAdd("groups", new JsonArray());
                foreach (var group in (body["groups"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    group["monitors"] = new JsonArray([.. Strings(group, "monitors").Select(m => (JsonNode?)JsonValue.Create(MonitorId(m)))]);
                }
                var errors = new List<FieldError>();
                var current = _pageMap.TryGetValue(item.Key, out var id) ? await o.PageStore.FindPageAsync(id, ct) : null;
                var page = StatusPageInput.ApplyPage(body, current ?? NewPage(), creating: current is null, errors);
                await StatusPageInput.CheckMonitorsAsync(page, o.PageStore, errors, ct);
                if (errors.Count > 0)
                {
                    errors.ForEach(e => Problem(item, FieldOf(e.Message), $"status page '{item.Key}': {e.Message}"));
                    continue;
                }
                if (current is not null && JsonSerializer.Serialize(page) == JsonSerializer.Serialize(current))
                {
                    continue;
                }
                try
                {
                    if (current is null)
                    {
                        await o.PageStore.AddPageAsync(page, ct);
                        _pageMap[item.Key] = page.Id;
                        Created++;
                    }
                    else if (await o.PageStore.UpdatePageAsync(page, ct))
                    {
                        Changed++;
                    }
                    o.Cache.Forget(StatusPagesApi.PageKey(page.Slug));
                }
                catch (ConflictException ex)
                {
                    Problem(item, ex.Field, $"status page '{item.Key}': {ex.Field}: {ex.Message}");
                }
            }
            foreach (var (slug, id) in _pageMap.Where(e => !file.StatusPages.Any(p => p.Key == e.Key)).ToList())
            {
                await o.PageStore.DeletePageAsync(id, ct);
                o.Cache.Forget(StatusPagesApi.PageKey(slug));
                _pageMap.Remove(slug);
                Deleted++;
            }
            await SaveMapAsync(PageMapKey, _pageMap, ct);
        }

        private T? Report<T>(ConfigItem item, string what, WriteResult<T> result) where T : class
        {
            foreach (var error in result.Errors)
            {
                Problem(item, error.Field, $"{what} '{item.Key}': {error.Message}");
            }
            if (result.Outcome == WriteOutcome.NotFound)
            {
                Problem(item, "", $"{what} '{item.Key}' was deleted while the file was being applied");
            }
            return result.Value;
        }

        /// <summary>A channel of the file by name, else a stored channel by id, else by name.</summary>
        private string? ChannelId(string reference) =>
            file.Channels.Any(c => c.Key == reference) && _channelMap.TryGetValue(reference, out var mapped) ? mapped
            : file.Channels.Any(c => c.Key == reference) ? reference
            : _channels.FirstOrDefault(c => c.Id == reference)?.Id ?? _channels.FirstOrDefault(c => c.Name == reference)?.Id;

        /// <summary>A monitor of the file by key or name, else the stored monitor with that id.</summary>
        private string MonitorId(string reference) => _monitorIds.TryGetValue(reference, out var id) ? id : reference;

        private static IEnumerable<string> PageMonitors(ConfigItem item) =>
            (item.Body["groups"] as JsonArray ?? []).OfType<JsonObject>().SelectMany(g => Strings(g, "monitors"));

        private StatusPage NewPage() => new() { Id = Secrets.NewId(), Slug = "", Title = "", CreatedAt = o.Clock.GetUtcNow() };

        private async Task<Dictionary<string, string>> MapAsync(string key, CancellationToken ct) =>
            await o.SettingStore.GetAsync(key, ct) is { } json
                ? JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? []
                : [];

        private async Task SaveMapAsync(string key, Dictionary<string, string> map, CancellationToken ct)
        {
            var json = JsonSerializer.Serialize(map.OrderBy(e => e.Key, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal));
            if (await o.SettingStore.GetAsync(key, ct) != json)
            {
                await o.SettingStore.SetAsync(key, json, ct);
            }
        }
    }

    /// <summary>The body with every definition field it leaves out set to what a new monitor of the kind has.</summary>
    private static JsonObject WithDefaults(JsonObject body, MonitorKind kind)
    {
        var full = (JsonObject)body.DeepClone();
        void Default(string field, JsonNode? value) => full.TryAdd(field, value);
        // Numbers as parsed JSON, as a request body has them (readable as any number type).
        void Number(string field, int value) => full.TryAdd(field, JsonNode.Parse(value.ToString(CultureInfo.InvariantCulture)));
        Default("slug", null);
        Default("description", null);
        Default("tags", new JsonArray());
        Default("remindEvery", null);
        Default("notifyRecovery", true);
        if (kind == MonitorKind.Push)
        {
            // "timeout" is the seeds' name for the period.
            if (!full.ContainsKey("timeout"))
            {
                Number("period", 60);
            }
            Number("grace", 0);
            Default("tz", "UTC");
            Default("schedule", null);
            Default("manualResume", false);
            return full;
        }
        Number("interval", 60);
        Number("timeout", 10);
        Number("retries", 0);
        Default("retryInterval", null);
        Number("successThreshold", 1);
        Default("conditions", new JsonArray());
        Default("headers", new JsonObject());
        Default("body", null);
        // A Gatus DNS endpoint keeps its query type in the method.
        if (!full.ContainsKey("dns"))
        {
            Default("method", null);
        }
        Default("locations", null);
        Default("quorum", null);
        Default("allAddresses", false);
        return full;
    }

    /// <summary>A channel's settings as the file gives them: every field but kind and name.</summary>
    private static JsonObject Settings(JsonObject body) =>
        NonNull(new JsonObject(body.Where(f => f.Key is not ("kind" or "name")).Select(f => KeyValuePair.Create(f.Key, f.Value?.DeepClone()))));

    private static JsonObject NonNull(JsonObject json) =>
        new(json.Where(f => f.Value is not null).Select(f => KeyValuePair.Create(f.Key, f.Value?.DeepClone())));

    private static string? Text(JsonObject body, string field) =>
        body[field] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static List<string> Strings(JsonObject body, string field) =>
        body[field] is JsonArray list ? [.. list.OfType<JsonValue>().Select(v => v.TryGetValue<string>(out var s) ? s : v.ToJsonString())] : [];

    /// <summary>The field a status page message starts with (<c>groups[0].name is required</c> → groups).</summary>
    private static string FieldOf(string message)
    {
        var end = message.IndexOfAny([' ', '[', '.', ':']);
        return end > 0 ? message[..end] : "";
    }
}
