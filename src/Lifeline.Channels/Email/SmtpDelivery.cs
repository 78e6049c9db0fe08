using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Lifeline.Channels.Email;

/// <summary>
/// One SMTP conversation through MailKit: connect as <see cref="SmtpOptions.TlsMode"/> says,
/// authenticate with the strongest mechanism the server offers, send, quit. MailKit brings
/// SMTPUTF8 when the server offers it and punycodes international domains when it does not.
/// Every failure becomes a <see cref="DeliveryException"/>: 5xx permanent, 4xx and network
/// failures transient. A recipient refused for good (5xx) does not stop the others, but the
/// attempt still fails, naming the refused addresses; a recipient refused for now (4xx) stops the
/// whole message before anything is sent, so the retry reaches everyone exactly once.
/// </summary>
internal static class SmtpDelivery
{
    public static async Task SendAsync(SmtpOptions options, RemoteCertificateValidationCallback? validateCertificate, MimeMessage message, CancellationToken ct)
    {
        var where = $"{options.Host}:{options.EffectivePort}";
        using var client = new RefusalCountingSmtpClient
        {
            LocalDomain = string.IsNullOrWhiteSpace(options.HeloName) ? Dns.GetHostName() : options.HeloName,
            // As SslStream does by default: an unreachable revocation server must not stop alerts.
            CheckCertificateRevocation = false,
        };
        if (validateCertificate is not null)
        {
            client.ServerCertificateValidationCallback = validateCertificate;
        }
        try
        {
            await ConnectAsync(client, options, ct);
            if (!string.IsNullOrEmpty(options.User))
            {
                await AuthenticateAsync(client, options, ct);
            }
            var international = FormatOptions.Default.Clone();
            // MailKit keeps UTF-8 headers only for servers offering SMTPUTF8, and encodes them otherwise.
            international.International = true;
            await client.SendAsync(international, message, ct);
            await QuitAsync(client, ct);
        }
        catch (SmtpCommandException ex) when (ex.ErrorCode == SmtpErrorCode.MessageNotAccepted && client.Refused.Count > 0)
        {
            throw new DeliveryException($"the SMTP server refused every recipient: {string.Join(", ", client.Refused)}",
                permanent: true, statusCode: (int)ex.StatusCode, inner: ex);
        }
        catch (SmtpCommandException ex)
        {
            var code = (int)ex.StatusCode;
            var step = ex.ErrorCode switch
            {
                SmtpErrorCode.RecipientNotAccepted => $"RCPT TO:<{ex.Mailbox?.Address}>",
                SmtpErrorCode.SenderNotAccepted => $"MAIL FROM:<{ex.Mailbox?.Address}>",
                SmtpErrorCode.MessageNotAccepted => "the message",
                _ => "a command",
            };
            throw new DeliveryException($"SMTP {step} refused: {code} {NoticeText.Cut(ex.Message, 200)}", permanent: code >= 500, statusCode: code, inner: ex);
        }
        catch (AuthenticationException ex)
        {
            // MailKit's message is the server's reply; the credentials never appear in it.
            var code = (ex.InnerException as SmtpCommandException)?.StatusCode is { } status ? (int)status : (int?)null;
            throw new DeliveryException($"SMTP AUTH refused: {NoticeText.Cut(ex.Message, 200)}", permanent: code is null or >= 500, statusCode: code, inner: ex);
        }
        catch (Exception ex) when (ex is SocketException or IOException or SslHandshakeException or SmtpProtocolException or System.Security.Authentication.AuthenticationException)
        {
            throw new DeliveryException($"could not deliver through {where}: {ex.Message}", permanent: false, inner: ex);
        }

        if (client.Refused.Count > 0)
        {
            throw new DeliveryException(
                $"the SMTP server refused {string.Join(", ", client.Refused)}; the other recipients got the notice",
                permanent: true, statusCode: client.FirstRefusalCode);
        }
    }

    private static SecureSocketOptions SocketOptions(SmtpTlsMode mode) => mode switch
    {
        SmtpTlsMode.Tls => SecureSocketOptions.SslOnConnect,
        SmtpTlsMode.StartTls => SecureSocketOptions.StartTls,
        _ => SecureSocketOptions.None,
    };

    private static async Task ConnectAsync(SmtpClient client, SmtpOptions options, CancellationToken ct)
    {
        try
        {
            await client.ConnectAsync(options.Host!, options.EffectivePort, SocketOptions(options.TlsMode), ct);
        }
        catch (NotSupportedException) when (options.TlsMode == SmtpTlsMode.StartTls)
        {
            throw new DeliveryException($"the SMTP server does not offer STARTTLS (set {SmtpOptions.Section}:TlsMode to tls or none)", permanent: true);
        }
    }

    private static async Task AuthenticateAsync(SmtpClient client, SmtpOptions options, CancellationToken ct)
    {
        if (client.AuthenticationMechanisms.Count == 0)
        {
            throw new DeliveryException(
                client.Capabilities.HasFlag(SmtpCapabilities.StartTLS)
                    ? $"the SMTP server offers no AUTH before STARTTLS (set {SmtpOptions.Section}:TlsMode to starttls)"
                    : "the SMTP server offers no AUTH",
                permanent: true);
        }
        try
        {
            await client.AuthenticateAsync(new NetworkCredential(options.User, options.Password ?? ""), ct);
        }
        catch (NotSupportedException)
        {
            throw new DeliveryException(
                $"the SMTP server offers no AUTH mechanism Lifeline knows (it offers {string.Join(", ", client.AuthenticationMechanisms)})",
                permanent: true);
        }
    }

    private static async Task QuitAsync(SmtpClient client, CancellationToken ct)
    {
        try
        {
            await client.DisconnectAsync(quit: true, ct);
        }
        catch (Exception ex) when (ex is IOException or SocketException or SmtpProtocolException or SmtpCommandException)
        {
            // The message was accepted; a rude goodbye changes nothing.
        }
    }

    /// <summary>Lets the others receive the message when some recipients are refused for good.</summary>
    private sealed class RefusalCountingSmtpClient : SmtpClient
    {
        /// <summary>Each refused address with the server's reply, e.g. <c>gone@example.com (550 5.1.1 no such user)</c>.</summary>
        public List<string> Refused { get; } = [];

        public int? FirstRefusalCode { get; private set; }

        protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response)
        {
            ArgumentNullException.ThrowIfNull(mailbox);
            ArgumentNullException.ThrowIfNull(response);
            var code = (int)response.StatusCode;
            if (code < 500)
            {
                base.OnRecipientNotAccepted(message, mailbox, response);
                return;
            }
            FirstRefusalCode ??= code;
            Refused.Add($"{mailbox.Address} ({code} {NoticeText.Cut(response.Response, 120)})");
        }
    }
}
