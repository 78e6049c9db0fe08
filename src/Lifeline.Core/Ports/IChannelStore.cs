using System.Text.Json.Nodes;

namespace Lifeline.Core;

/// <summary>A configured notification channel: its kind and the kind's own settings.</summary>
public sealed record ChannelConfig(string Id, string Kind, string Name, JsonObject Settings, DateTimeOffset CreatedAt);

public interface IChannelStore
{
    Task<ChannelConfig> AddAsync(ChannelConfig channel, CancellationToken ct);
    Task<ChannelConfig?> FindAsync(string id, CancellationToken ct);
    Task<IReadOnlyList<ChannelConfig>> ListAsync(CancellationToken ct);
    Task<ChannelConfig?> UpdateAsync(ChannelConfig channel, CancellationToken ct);
    Task<bool> DeleteAsync(string id, CancellationToken ct);
}
