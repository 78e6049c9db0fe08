namespace Lifeline.Channels.Email;

/// <summary>How the connection to the SMTP server is protected.</summary>
public enum SmtpTlsMode
{
    /// <summary>Plain text (only for a relay on the same host or network).</summary>
    None,
    /// <summary>Plain connect, then STARTTLS before anything else; refuses servers that do not offer it.</summary>
    StartTls,
    /// <summary>TLS from the first byte (SMTPS, usually port 465).</summary>
    Tls,
}

/// <summary>
/// The server-wide SMTP settings of the email channel, bound from <c>Lifeline:Smtp:*</c>.
/// Channels only add their recipients (<c>to</c>).
/// </summary>
public sealed record SmtpOptions
{
    public const string Section = "Lifeline:Smtp";

    /// <summary>SMTP server host name; email channels are unusable while it is empty.</summary>
    public string? Host { get; init; }

    /// <summary>Port; 0 means the mode's usual one [587 STARTTLS, 465 TLS, 25 none].</summary>
    public int Port { get; init; }

    /// <summary>User for AUTH, with the strongest mechanism the server offers (SCRAM-SHA-*, CRAM-MD5, PLAIN, LOGIN ...); no AUTH when empty.</summary>
    public string? User { get; init; }

    public string? Password { get; init; }

    /// <summary>Sender, a bare address or <c>Name &lt;address&gt;</c>; required.</summary>
    public string? From { get; init; }

    /// <summary><c>none</c>, <c>starttls</c> or <c>tls</c> [starttls].</summary>
    public SmtpTlsMode TlsMode { get; init; } = SmtpTlsMode.StartTls;

    /// <summary>The name this server gives in EHLO [the machine's host name].</summary>
    public string? HeloName { get; init; }

    /// <summary>The port actually used.</summary>
    public int EffectivePort => Port > 0 ? Port : TlsMode switch
    {
        SmtpTlsMode.Tls => 465,
        SmtpTlsMode.StartTls => 587,
        _ => 25,
    };

    /// <summary>Every problem with the settings at once; empty when email can be sent.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Host))
        {
            problems.Add($"{Section}:Host is not set");
        }
        if (string.IsNullOrWhiteSpace(From))
        {
            problems.Add($"{Section}:From is not set");
        }
        else if (!System.Net.Mail.MailAddress.TryCreate(From, out _))
        {
            problems.Add($"{Section}:From is not an email address");
        }
        if (Port is < 0 or > 65535)
        {
            problems.Add($"{Section}:Port must be between 1 and 65535");
        }
        if (!string.IsNullOrEmpty(User) && Password is null)
        {
            problems.Add($"{Section}:Password is not set although {Section}:User is");
        }
        return problems;
    }
}
