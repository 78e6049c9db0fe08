namespace Lifeline.Checks.Rdap;

/// <summary>What a registry said about a domain: when it expires, or why that is not known.</summary>
public sealed record DomainExpiry(string Domain, DateTimeOffset? ExpiresAt, string? Error);
