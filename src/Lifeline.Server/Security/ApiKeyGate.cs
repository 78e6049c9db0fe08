using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Lifeline.Server.Security;

public enum Access
{
    None,
    ReadOnly,
    Admin,
}

/// <summary>
/// Checks API keys. Keys are kept only as SHA-256 hashes (in the store, and in memory for
/// <c>LIFELINE_API_KEY</c>) and every presented key is compared with every known hash in constant time.
/// </summary>
public sealed class ApiKeyGate(ISettingsStore store, TimeProvider clock)
{
    public const string EnvironmentKey = "LIFELINE_API_KEY";
    public const int MinimumKeyLength = 16;

    private volatile IReadOnlyList<ApiKeyRecord> _keys = [];
    private byte[]? _environmentHash;

    /// <summary>
    /// Loads the keys. With no key configured and none stored, creates an admin key and returns it
    /// (the caller prints it once); otherwise returns null.
    /// </summary>
    public async Task<string?> InitializeAsync(string? environmentKey, CancellationToken ct)
    {
        if (!string.IsNullOrEmpty(environmentKey))
        {
            if (environmentKey.Length < MinimumKeyLength)
            {
                throw new InvalidOperationException($"{EnvironmentKey} must be at least {MinimumKeyLength} characters long");
            }
            _environmentHash = Secrets.HashKey(environmentKey);
        }
        await ReloadAsync(ct);
        if (_environmentHash is not null || _keys.Count > 0)
        {
            return null;
        }
        var key = Secrets.NewApiKey();
        await store.AddApiKeyAsync(new ApiKeyRecord(Secrets.NewId(), "initial admin key", Secrets.HashKey(key), ReadOnly: false, clock.GetUtcNow()), ct);
        await ReloadAsync(ct);
        return key;
    }

    public async Task ReloadAsync(CancellationToken ct) => _keys = await store.ApiKeysAsync(ct);

    /// <summary>Creates a stored key and returns it in clear, the only time it is seen.</summary>
    public async Task<(ApiKeyRecord Record, string Key)> CreateAsync(string name, bool readOnly, CancellationToken ct)
    {
        var key = Secrets.NewApiKey();
        var record = new ApiKeyRecord(Secrets.NewId(), name, Secrets.HashKey(key), readOnly, clock.GetUtcNow());
        await store.AddApiKeyAsync(record, ct);
        await ReloadAsync(ct);
        return (record, key);
    }

    public async Task<bool> DeleteAsync(string id, CancellationToken ct)
    {
        var deleted = await store.DeleteApiKeyAsync(id, ct);
        await ReloadAsync(ct);
        return deleted;
    }

    public IReadOnlyList<ApiKeyRecord> Keys => _keys;

    /// <summary>Whether <c>LIFELINE_API_KEY</c> is set (it is an admin key not in <see cref="Keys"/>).</summary>
    public bool HasEnvironmentKey => _environmentHash is not null;

    /// <summary>What the request's key allows: <c>Authorization: Bearer KEY</c> or <c>X-Api-Key: KEY</c>.</summary>
    public Access Check(HttpRequest request)
    {
        var presented = Presented(request.Headers.Authorization, request.Headers["X-Api-Key"]);
        return string.IsNullOrEmpty(presented) ? Access.None : CheckKey(presented);
    }

    /// <summary>What a key presented in some other way (a form, a body field) allows.</summary>
    public Access CheckKey(string presented)
    {
        ArgumentNullException.ThrowIfNull(presented);
        var hash = Secrets.HashKey(presented);
        var access = Access.None;
        // Look at every key, matched or not, so timing says nothing about which one matched.
        if (_environmentHash is not null && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(hash, _environmentHash))
        {
            access = Access.Admin;
        }
        foreach (var key in _keys)
        {
            if (System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(hash, key.Hash))
            {
                access = key.ReadOnly && access != Access.Admin ? Access.ReadOnly : Access.Admin;
            }
        }
        return access;
    }

    /// <summary>
    /// The name of the key a request came with (an admin key named twice wins), or
    /// <see cref="EnvironmentKey"/> for that key; null when none matches. For records of who did
    /// what, after <see cref="Check"/> has let the request in.
    /// </summary>
    public string? NameOf(HttpRequest request)
    {
        var presented = Presented(request.Headers.Authorization, request.Headers["X-Api-Key"]);
        if (string.IsNullOrEmpty(presented))
        {
            return null;
        }
        var hash = Secrets.HashKey(presented);
        if (_environmentHash is not null && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(hash, _environmentHash))
        {
            return EnvironmentKey;
        }
        return _keys.Where(k => System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(hash, k.Hash))
            .OrderBy(k => k.ReadOnly)
            .Select(k => k.Name)
            .FirstOrDefault();
    }

    private static string? Presented(StringValues authorization, StringValues apiKey)
    {
        var header = authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }
        return apiKey.Count > 0 ? apiKey.ToString().Trim() : null;
    }
}
