using System.Net;
using System.Net.Mail;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Lifeline.Channels.Email;

/// <summary>
/// Mails notices through the server's SMTP settings (<see cref="SmtpOptions"/>) to the channel's
/// <c>to</c> addresses, as multipart/alternative plain text and HTML. The Message-ID derives from
/// the delivery id, so a retried notice carries the same id and mail clients can drop the copy.
/// </summary>
public sealed class EmailChannel : INoticeChannel
{
    private readonly SmtpOptions _smtp;
    private readonly TimeProvider _clock;
    private readonly RemoteCertificateValidationCallback? _validateCertificate;

    /// <param name="validateCertificate">Replaces the system's certificate check (tests with a self-made certificate); null for the usual check.</param>
    public EmailChannel(SmtpOptions smtp, TimeProvider clock, RemoteCertificateValidationCallback? validateCertificate = null)
    {
        _smtp = smtp;
        _clock = clock;
        _validateCertificate = validateCertificate;
    }

    public string Kind => "email";

    public IReadOnlyList<string> Validate(JsonObject settings)
    {
        var errors = new List<string>();
        var to = ChannelSettings.Strings(settings, "to");
        if (to is null || to.Count == 0)
        {
            errors.Add("'to' is required (an array of email addresses)");
        }
        else
        {
            errors.AddRange(to.Where(a => !IsAddress(a)).Select(a => $"'to' holds '{a}', which is not an email address"));
        }
        errors.AddRange(_smtp.Problems().Select(p => $"email needs the server's SMTP settings: {p}"));
        return errors;
    }

    public async Task SendAsync(ChannelConfig channel, Notice notice, NoticeDelivery delivery, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(delivery);
        if (_smtp.Problems() is { Count: > 0 } problems)
        {
            throw new DeliveryException("SMTP is not configured: " + string.Join("; ", problems), permanent: true);
        }
        var to = (ChannelSettings.Strings(channel.Settings, "to") ?? []).Where(IsAddress).Select(a => new MailAddress(a)).ToList();
        if (to.Count == 0)
        {
            throw new DeliveryException("channel setting 'to' holds no email address", permanent: true);
        }
        var from = new MailAddress(_smtp.From!);
        var message = Compose(NoticeText.From(notice), from, to, _clock.GetUtcNow(), delivery.Id);
        try
        {
            await using var session = await SmtpSession.OpenAsync(_smtp, _validateCertificate, ct);
            await session.SendAsync(from.Address, [.. to.Select(a => a.Address)], message, ct);
            await session.QuitAsync(ct);
        }
        catch (Exception ex) when (ex is SocketException or IOException or AuthenticationException)
        {
            throw new DeliveryException($"could not deliver through {_smtp.Host}:{_smtp.EffectivePort}: {ex.Message}", permanent: false, inner: ex);
        }
    }

    /// <summary>The whole message: headers and a multipart/alternative body, lines ending in CRLF.</summary>
    public static string Compose(NoticeText text, MailAddress from, IReadOnlyList<MailAddress> to, DateTimeOffset date, string deliveryId)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        // The boundary holds "=_", which quoted-printable bodies can never contain.
        var boundary = "=_lifeline_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(deliveryId)).AsSpan(0, 12));
        var mail = new StringBuilder();
        mail.Append("Date: ").Append(MimeText.Date(date)).Append("\r\n");
        mail.Append("From: ").Append(MimeText.Mailbox(from)).Append("\r\n");
        // One address a line keeps long recipient lists under the 998-character line limit.
        mail.Append("To: ").Append(string.Join(",\r\n ", to.Select(MimeText.Mailbox))).Append("\r\n");
        mail.Append("Subject: ").Append(MimeText.HeaderText(NoticeText.Cut($"{text.Symbol} {text.Title}", 200))).Append("\r\n");
        mail.Append("Message-ID: <").Append(MessageIdLocalPart(deliveryId)).Append('@').Append(from.Host).Append(">\r\n");
        mail.Append("MIME-Version: 1.0\r\n");
        mail.Append("Auto-Submitted: auto-generated\r\n");
        mail.Append("Content-Type: multipart/alternative; boundary=\"").Append(boundary).Append("\"\r\n");
        mail.Append("\r\n");
        mail.Append("This is a multi-part message in MIME format.\r\n");
        AppendPart(mail, boundary, "text/plain", PlainBody(text));
        AppendPart(mail, boundary, "text/html", HtmlBody(text));
        mail.Append("--").Append(boundary).Append("--\r\n");
        return mail.ToString();
    }

    internal static string PlainBody(NoticeText text) => $"{text.ToPlainText()}\n\n-- \nSent by Lifeline.\n";

    internal static string HtmlBody(NoticeText text)
    {
        var colour = text.Tone switch { NoticeTone.Down => "#d83c3e", NoticeTone.Up => "#2eb67d", _ => "#3b82f6" };
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head>\n<body style=\"font-family:sans-serif\">\n");
        html.Append("<h2 style=\"color:").Append(colour).Append("\">").Append(WebUtility.HtmlEncode($"{text.Symbol} {text.Title}")).Append("</h2>\n");
        html.Append("<p>").Append(WebUtility.HtmlEncode(text.Headline)).Append("</p>\n");
        if (text.Facts.Count > 0)
        {
            html.Append("<table cellpadding=\"4\">\n");
            foreach (var fact in text.Facts)
            {
                html.Append("<tr><th align=\"left\" valign=\"top\">").Append(WebUtility.HtmlEncode(fact.Label))
                    .Append("</th><td style=\"white-space:pre-wrap\">").Append(WebUtility.HtmlEncode(fact.Value)).Append("</td></tr>\n");
            }
            html.Append("</table>\n");
        }
        if (text.Link is not null)
        {
            html.Append("<p><a href=\"").Append(WebUtility.HtmlEncode(text.Link)).Append("\">Open the monitor</a></p>\n");
        }
        html.Append("<p style=\"color:#888;font-size:small\">Sent by Lifeline.</p>\n</body></html>\n");
        return html.ToString();
    }

    private static void AppendPart(StringBuilder mail, string boundary, string type, string body)
    {
        mail.Append("--").Append(boundary).Append("\r\n");
        mail.Append("Content-Type: ").Append(type).Append("; charset=utf-8\r\n");
        mail.Append("Content-Transfer-Encoding: quoted-printable\r\n\r\n");
        mail.Append(MimeText.QuotedPrintable(body)).Append("\r\n");
    }

    private static string MessageIdLocalPart(string deliveryId)
    {
        var safe = new string(deliveryId.Where(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_').ToArray());
        return "lifeline." + (safe.Length > 0 ? safe[..Math.Min(safe.Length, 64)] : "notice");
    }

    private static bool IsAddress(string text) =>
        MailAddress.TryCreate(text, out var address) && address.Address.Contains('@', StringComparison.Ordinal) && !text.Any(char.IsControl);
}
