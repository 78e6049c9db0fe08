using Lifeline.Client.Admin;

namespace Lifeline.Cli.Import;

/// <summary>What became of one item when the plan was applied.</summary>
internal enum ImportOutcome
{
    /// <summary>Not imported (see <see cref="ImportItem.Skipped"/>).</summary>
    NotImported,

    /// <summary>Created on the server.</summary>
    Created,

    /// <summary>The server already had it (same push token, slug, or kind and name); left as it is.</summary>
    Unchanged,

    /// <summary>The server refused it; <see cref="ImportResult.Error"/> says why.</summary>
    Failed,
}

/// <summary>The outcome of one item, with the server's id of what it became.</summary>
internal sealed record ImportResult(ImportItem Item, ImportOutcome Outcome, string? Id = null, string? Error = null);

/// <summary>
/// Writes a plan through the admin API. Nothing is changed that the server already has: a channel
/// matches one of the same kind and name; a monitor matches one with the same push token, else
/// the same slug, else the same kind and name. So a second run creates nothing.
/// </summary>
internal sealed class ImportApplier(LifelineClient client)
{
    public async Task<IReadOnlyList<ImportResult>> ApplyAsync(ImportPlan plan, Action<ImportResult>? done, CancellationToken ct)
    {
        var channels = (await client.ListChannelsAsync(ct)).ToList();
        var monitors = new List<MonitorInfo>();
        await foreach (var monitor in client.ListAllMonitorsAsync(new Lifeline.Client.Admin.MonitorQuery { Limit = 500 }, ct))
        {
            monitors.Add(monitor);
        }
        var channelIds = new Dictionary<string, string>(StringComparer.Ordinal);
        var results = new List<ImportResult>();
        // Channels first, so the monitors that alert them can name their ids.
        foreach (var item in plan.Items.OrderBy(i => i.Channel is null))
        {
            var result = item switch
            {
                { Channel: { } channel } => await ApplyChannelAsync(item, channel, channels, ct),
                { Monitor: { } monitor } => await ApplyMonitorAsync(item, monitor, monitors, channelIds, ct),
                _ => new ImportResult(item, ImportOutcome.NotImported),
            };
            if (item.Key is not null && result.Id is not null && item.Channel is not null)
            {
                channelIds[item.Key] = result.Id;
            }
            results.Add(result);
            done?.Invoke(result);
        }
        // Back in the plan's order, so the table reads as the dry run did.
        return [.. plan.Items.Select(i => results.First(r => ReferenceEquals(r.Item, i)))];
    }

    private async Task<ImportResult> ApplyChannelAsync(ImportItem item, NewChannel channel, List<ChannelInfo> existing, CancellationToken ct)
    {
        if (existing.FirstOrDefault(c => c.Kind.Equals(channel.Kind, StringComparison.OrdinalIgnoreCase) && c.Name.Equals(channel.Name, StringComparison.Ordinal)) is { } match)
        {
            return new ImportResult(item, ImportOutcome.Unchanged, match.Id);
        }
        try
        {
            var created = await client.CreateChannelAsync(channel, ct);
            existing.Add(created);
            return new ImportResult(item, ImportOutcome.Created, created.Id);
        }
        catch (LifelineApiException ex) when (ex.StatusCode is 400 or 409 or 422)
        {
            return new ImportResult(item, ImportOutcome.Failed, Error: ex.Error);
        }
    }

    private async Task<ImportResult> ApplyMonitorAsync(ImportItem item, NewMonitor monitor, List<MonitorInfo> existing, Dictionary<string, string> channelIds, CancellationToken ct)
    {
        if (Match(monitor, existing) is { } match)
        {
            return new ImportResult(item, ImportOutcome.Unchanged, match.Id);
        }
        var channels = item.ChannelKeys.Where(channelIds.ContainsKey).Select(k => channelIds[k]).Distinct().ToList();
        try
        {
            var created = await client.CreateMonitorAsync(monitor with { Channels = channels.Count == 0 ? null : channels }, ct);
            if (item.Paused)
            {
                created = await client.PauseMonitorAsync(created.Id, ct);
            }
            existing.Add(created);
            return new ImportResult(item, ImportOutcome.Created, created.Id);
        }
        catch (LifelineApiException ex) when (ex.StatusCode is 400 or 409 or 422)
        {
            return new ImportResult(item, ImportOutcome.Failed, Error: ex.Error);
        }
    }

    private static MonitorInfo? Match(NewMonitor monitor, List<MonitorInfo> existing)
    {
        if (monitor.PushToken is { } token)
        {
            return existing.FirstOrDefault(m => m.PushToken == token);
        }
        if (monitor.Slug is { } slug && existing.FirstOrDefault(m => m.Slug == slug) is { } bySlug)
        {
            return bySlug;
        }
        return existing.FirstOrDefault(m => m.Kind == monitor.Kind && m.Name.Equals(monitor.Name, StringComparison.Ordinal));
    }
}
