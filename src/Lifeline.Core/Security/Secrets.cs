using System.Security.Cryptography;
using System.Text;

namespace Lifeline.Core;

/// <summary>Random identifiers and secrets, and the hashing of API keys.</summary>
public static class Secrets
{
    private const string IdAlphabet = "abcdefghijkmnopqrstuvwxyz23456789";

    /// <summary>A short public identifier (not a secret), e.g. for monitors and channels.</summary>
    public static string NewId() => RandomNumberGenerator.GetString(IdAlphabet, 12);

    /// <summary>A push token: 144 random bits, URL-safe (24 characters).</summary>
    public static string NewPushToken() => Base64Url(RandomNumberGenerator.GetBytes(18));

    /// <summary>An API key: "ll_" and 256 random bits.</summary>
    public static string NewApiKey() => "ll_" + Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>A location's one-time enrol token: "enr_" and 256 random bits.</summary>
    public static string NewEnrollToken() => "enr_" + Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>The instance ping key for slug URLs: 128 random bits.</summary>
    public static string NewPingKey() => Base64Url(RandomNumberGenerator.GetBytes(16));

    /// <summary>A monitor's badge key: 128 random bits, URL-safe (22 characters).</summary>
    public static string NewBadgeKey() => Base64Url(RandomNumberGenerator.GetBytes(16));

    /// <summary>A delivery id, the same on every retry of one notice (webhook-id).</summary>
    public static string NewDeliveryId() => "msg_" + Base64Url(RandomNumberGenerator.GetBytes(15));

    /// <summary>API keys carry 256 random bits, so a plain SHA-256 is a safe one-way store.</summary>
    public static byte[] HashKey(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>Compares a presented key with a stored hash in constant time.</summary>
    public static bool Matches(string presented, byte[] storedHash) =>
        CryptographicOperations.FixedTimeEquals(HashKey(presented), storedHash);

    /// <summary>Imported tokens: 8 to 64 characters of A-Z a-z 0-9 _ -.</summary>
    public static bool IsValidToken(string? token)
    {
        if (token is null || token.Length is < 8 or > 64)
        {
            return false;
        }
        foreach (var c in token)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-'))
            {
                return false;
            }
        }
        return true;
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
