using System.Net;
using System.Net.Mail;
using System.Net.Security;
using System.Text;
using System.Text.Json.Nodes;
using MimeKit;

namespace Lifeline.Channels.Email;

/// <summary>
/// Mails notices through the server's SMTP settings (<see cref="SmtpOptions"/>) to the channel's
/// <c>to</c> addresses, as multipart/alternative plain text and HTML, sent with MailKit (see
/// <see cref="SmtpDelivery"/> for what counts as a failed attempt). The Message-ID derives from
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
        var to = (ChannelSettings.Strings(channel.Settings, "to") ?? []).Where(IsAddress).Select(Mailbox).ToList();
        if (to.Count == 0)
        {
            throw new DeliveryException("channel setting 'to' holds no email address", permanent: true);
        }
        var message = Compose(NoticeText.From(notice), Mailbox(_smtp.From!), to, _clock.GetUtcNow(), delivery.Id);
        await SmtpDelivery.SendAsync(_smtp, _validateCertificate, message, ct);
    }

    /// <summary>The whole message: headers and a multipart/alternative body of plain text and HTML.</summary>
    public static MimeMessage Compose(NoticeText text, MailboxAddress from, IReadOnlyList<MailboxAddress> to, DateTimeOffset date, string deliveryId)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        var message = new MimeMessage { Date = date, Subject = HeaderText(NoticeText.Cut($"{text.Symbol} {text.Title}", 200)) };
        message.From.Add(from);
        message.To.AddRange(to);
        var domain = from.GetAddress(idnEncode: true);
        message.MessageId = $"{MessageIdLocalPart(deliveryId)}@{domain[(domain.LastIndexOf('@') + 1)..]}";
        message.Headers.Add("Auto-Submitted", "auto-generated");
        message.Body = new MultipartAlternative { Part("plain", PlainBody(text)), Part("html", HtmlBody(text)) };
        return message;
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

    private static TextPart Part(string subtype, string body)
    {
        var part = new TextPart(subtype) { ContentTransferEncoding = ContentEncoding.QuotedPrintable };
        part.SetText(Encoding.UTF8, body);
        return part;
    }

    /// <summary>Header text with control characters (CR and LF above all, which would let a monitor name add headers) turned into spaces.</summary>
    internal static string HeaderText(string text) => new string([.. text.Select(c => char.IsControl(c) ? ' ' : c)]).Trim();

    private static MailboxAddress Mailbox(string text)
    {
        var address = new MailAddress(text);
        return new MailboxAddress(address.DisplayName, address.Address);
    }

    private static string MessageIdLocalPart(string deliveryId)
    {
        var safe = new string(deliveryId.Where(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_').ToArray());
        return "lifeline." + (safe.Length > 0 ? safe[..Math.Min(safe.Length, 64)] : "notice");
    }

    private static bool IsAddress(string text) =>
        MailAddress.TryCreate(text, out var address) && address.Address.Contains('@', StringComparison.Ordinal) && !text.Any(char.IsControl);
}
