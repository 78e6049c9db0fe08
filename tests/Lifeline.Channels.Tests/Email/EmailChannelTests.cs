using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Lifeline.Channels.Email;
using Lifeline.Channels.Tests.Support;
using Lifeline.Testing;
using MimeKit;

namespace Lifeline.Channels.Tests.Email;

public sealed class EmailChannelTests
{
    private readonly ManualClock _clock = new(Notices.At);

    [Fact]
    public async Task A_notice_is_mailed_with_proper_headers_and_both_parts()
    {
        await using var server = SmtpTestServer.Start();
        var channel = new EmailChannel(Options(server, SmtpTlsMode.None), _clock);

        await channel.SendAsync(Config("ops@example.com", "Ana <ana@example.org>"), Notices.Down(), Notices.Delivery(), CancellationToken.None);

        var session = server.Sessions.Single();
        session.Helo.ShouldBe("lifeline.test");
        session.AuthMechanism.ShouldBe("PLAIN");
        (session.User, session.Password).ShouldBe(("alerts", "s3cret"));
        session.MailFrom.ShouldBe("alerts@example.com");
        session.Recipients.ShouldBe(["ops@example.com", "ana@example.org"]);
        session.Quit.ShouldBeTrue();

        var mail = Parse(session.Data!);
        mail.Headers[HeaderId.Date].ShouldBe("Mon, 05 Jan 2026 12:00:00 +0000");
        mail.From.Mailboxes.Select(m => (m.Name, m.Address)).ShouldBe([("Lifeline", "alerts@example.com")]);
        mail.To.Mailboxes.Select(m => (m.Name, m.Address)).ShouldBe([("", "ops@example.com"), ("Ana", "ana@example.org")]);
        mail.Subject.ShouldBe("\U0001F534 backup-db is DOWN");
        mail.MessageId.ShouldBe("lifeline.dlv_7f3a@example.com");
        mail.Headers[HeaderId.MimeVersion].ShouldBe("1.0");
        mail.Headers["Auto-Submitted"].ShouldBe("auto-generated");

        var parts = mail.Body.ShouldBeOfType<MultipartAlternative>().Cast<TextPart>().ToList();
        parts.Count.ShouldBe(2);
        parts[0].ContentType.MimeType.ShouldBe("text/plain");
        parts[0].ContentType.Charset.ShouldBe("utf-8");
        parts[0].ContentTransferEncoding.ShouldBe(ContentEncoding.QuotedPrintable);
        var text = parts[0].Text.ReplaceLineEndings("\n");
        text.ShouldStartWith("backup-db is DOWN\n\nDown since 2026-01-05 12:00:00 UTC.");
        text.ShouldContain("Reason: no signal for 20 min");
        text.ShouldContain("Last message: disk 91% full");
        text.ShouldContain("http://127.0.0.1:5080/#/monitors/mon_42");
        parts[1].ContentType.MimeType.ShouldBe("text/html");
        var html = parts[1].Text;
        // WebUtility.HtmlEncode writes characters outside the BMP as numeric references.
        html.ShouldContain("<h2 style=\"color:#d83c3e\">&#128308; backup-db is DOWN</h2>");
        html.ShouldContain("<th align=\"left\" valign=\"top\">Reason</th><td style=\"white-space:pre-wrap\">no signal for 20 min</td>");
        html.ShouldContain("<a href=\"http://127.0.0.1:5080/#/monitors/mon_42\">Open the monitor</a>");
    }

    [Fact]
    public async Task A_retried_notice_keeps_its_Message_ID()
    {
        await using var server = SmtpTestServer.Start();
        var channel = new EmailChannel(Options(server, SmtpTlsMode.None), _clock);

        await channel.SendAsync(Config("ops@example.com"), Notices.Down(), Notices.Delivery(1), CancellationToken.None);
        await channel.SendAsync(Config("ops@example.com"), Notices.Down(), Notices.Delivery(2), CancellationToken.None);

        server.Sessions.Select(s => Parse(s.Data!).MessageId).Distinct().Count().ShouldBe(1);
    }

    [Fact]
    public async Task STARTTLS_secures_the_connection_before_authenticating()
    {
        await using var server = SmtpTestServer.Start(offerStartTls: true, authMechanisms: ["LOGIN"]);
        var channel = new EmailChannel(Options(server, SmtpTlsMode.StartTls), _clock, SmtpTestServer.TrustOurCertificate);

        await channel.SendAsync(Config("ops@example.com"), Notices.Up(), Notices.Delivery(), CancellationToken.None);

        var session = server.Sessions.Single();
        session.Secured.ShouldBeTrue();
        session.AuthMechanism.ShouldBe("LOGIN");
        (session.User, session.Password).ShouldBe(("alerts", "s3cret"));
        Parse(session.Data!).Subject.ShouldBe("\u2705 backup-db is UP again");
    }

    [Fact]
    public async Task Implicit_TLS_speaks_TLS_from_the_first_byte()
    {
        await using var server = SmtpTestServer.Start(implicitTls: true);
        var channel = new EmailChannel(Options(server, SmtpTlsMode.Tls), _clock, SmtpTestServer.TrustOurCertificate);

        await channel.SendAsync(Config("ops@example.com"), Notices.Test(), Notices.Delivery(), CancellationToken.None);

        server.Sessions.Single().Secured.ShouldBeTrue();
        server.Sessions.Single().Data.ShouldNotBeNull();
    }

    [Fact]
    public async Task An_untrusted_certificate_is_a_transient_failure_and_sends_nothing()
    {
        await using var server = SmtpTestServer.Start(implicitTls: true);
        var channel = new EmailChannel(Options(server, SmtpTlsMode.Tls), _clock);

        var failure = await Should.ThrowAsync<DeliveryException>(() => channel.SendAsync(Config("ops@example.com"), Notices.Down(), Notices.Delivery(), CancellationToken.None));

        failure.Permanent.ShouldBeFalse();
        server.Sessions.ShouldAllBe(s => s.Data == null);
    }

    [Fact]
    public async Task A_server_without_STARTTLS_is_refused_when_STARTTLS_is_required()
    {
        await using var server = SmtpTestServer.Start();
        var channel = new EmailChannel(Options(server, SmtpTlsMode.StartTls), _clock);

        var failure = await Should.ThrowAsync<DeliveryException>(() => channel.SendAsync(Config("ops@example.com"), Notices.Down(), Notices.Delivery(), CancellationToken.None));

        failure.Permanent.ShouldBeTrue();
        failure.Message.ShouldContain("STARTTLS");
        server.Sessions.Single().User.ShouldBeNull();
    }

    [Fact]
    public async Task A_refused_password_is_permanent_and_not_repeated_in_the_message()
    {
        await using var server = SmtpTestServer.Start();
        var channel = new EmailChannel(Options(server, SmtpTlsMode.None) with { Password = "wrong" }, _clock);

        var failure = await Should.ThrowAsync<DeliveryException>(() => channel.SendAsync(Config("ops@example.com"), Notices.Down(), Notices.Delivery(), CancellationToken.None));

        failure.Permanent.ShouldBeTrue();
        failure.StatusCode.ShouldBe(535);
        failure.Message.ShouldNotContain("wrong");
    }

    [Fact]
    public async Task A_temporary_recipient_refusal_is_transient()
    {
        await using var server = SmtpTestServer.Start();
        server.RecipientReply = _ => "450 4.2.1 mailbox busy";
        var channel = new EmailChannel(Options(server, SmtpTlsMode.None), _clock);

        var failure = await Should.ThrowAsync<DeliveryException>(() => channel.SendAsync(Config("ops@example.com"), Notices.Down(), Notices.Delivery(), CancellationToken.None));

        failure.Permanent.ShouldBeFalse();
        failure.StatusCode.ShouldBe(450);
        server.Sessions.Single().Data.ShouldBeNull();
    }

    [Fact]
    public async Task Every_recipient_refused_for_good_is_permanent()
    {
        await using var server = SmtpTestServer.Start();
        server.RecipientReply = _ => "550 5.1.1 no such user";
        var channel = new EmailChannel(Options(server, SmtpTlsMode.None), _clock);

        var failure = await Should.ThrowAsync<DeliveryException>(() => channel.SendAsync(Config("ops@example.com"), Notices.Down(), Notices.Delivery(), CancellationToken.None));

        failure.Permanent.ShouldBeTrue();
    }

    [Fact]
    public async Task A_recipient_refused_for_good_fails_the_attempt_naming_the_address_while_the_others_get_the_notice()
    {
        await using var server = SmtpTestServer.Start();
        server.RecipientReply = address => address.StartsWith("gone", StringComparison.Ordinal) ? "550 5.1.1 no such user" : "250 OK";
        var channel = new EmailChannel(Options(server, SmtpTlsMode.None), _clock);

        var failure = await Should.ThrowAsync<DeliveryException>(() =>
            channel.SendAsync(Config("gone@example.com", "ops@example.com"), Notices.Down(), Notices.Delivery(), CancellationToken.None));

        failure.Message.ShouldContain("gone@example.com");
        failure.Message.ShouldContain("550");
        failure.Message.ShouldNotContain("ops@example.com");
        failure.Permanent.ShouldBeTrue();
        server.Sessions.Single().Recipients.ShouldBe(["ops@example.com"]);
        server.Sessions.Single().Data.ShouldNotBeNull();
    }

    [Fact]
    public async Task An_international_domain_is_punycoded_when_the_server_does_not_offer_SMTPUTF8()
    {
        await using var server = SmtpTestServer.Start();
        var channel = new EmailChannel(Options(server, SmtpTlsMode.None), _clock);

        await channel.SendAsync(Config("ops@b\u00fccher.example"), Notices.Down(), Notices.Delivery(), CancellationToken.None);

        var session = server.Sessions.Single();
        session.Recipients.ShouldBe(["ops@xn--bcher-kva.example"]);
        session.MailParameters!.ShouldNotContain("SMTPUTF8");
        session.Data!.ShouldAllBe(c => c < 128);
    }

    [Fact]
    public async Task A_UTF8_address_is_sent_with_SMTPUTF8_when_the_server_offers_it()
    {
        await using var server = SmtpTestServer.Start(offerSmtpUtf8: true);
        var channel = new EmailChannel(Options(server, SmtpTlsMode.None), _clock);

        await channel.SendAsync(Config("j\u00f6rg@b\u00fccher.example"), Notices.Down(), Notices.Delivery(), CancellationToken.None);

        var session = server.Sessions.Single();
        session.MailParameters!.ShouldContain("SMTPUTF8");
        session.Recipients.ShouldBe(["j\u00f6rg@b\u00fccher.example"]);
        Parse(session.Data!).To.Mailboxes.Single().Address.ShouldBe("j\u00f6rg@b\u00fccher.example");
    }

    [Fact]
    public async Task A_mechanism_other_than_PLAIN_and_LOGIN_is_used_when_it_is_the_only_one_offered()
    {
        await using var server = SmtpTestServer.Start(authMechanisms: ["CRAM-MD5"]);
        var channel = new EmailChannel(Options(server, SmtpTlsMode.None), _clock);

        await channel.SendAsync(Config("ops@example.com"), Notices.Down(), Notices.Delivery(), CancellationToken.None);

        var session = server.Sessions.Single();
        session.AuthMechanism.ShouldBe("CRAM-MD5");
        session.User.ShouldBe("alerts");
        session.Authenticated.ShouldBeTrue();
        session.Data.ShouldNotBeNull();
    }

    [Fact]
    public async Task A_challenge_answered_with_the_wrong_password_is_a_permanent_failure()
    {
        await using var server = SmtpTestServer.Start(authMechanisms: ["CRAM-MD5"]);
        server.Password = "another";
        var channel = new EmailChannel(Options(server, SmtpTlsMode.None), _clock);

        var failure = await Should.ThrowAsync<DeliveryException>(() => channel.SendAsync(Config("ops@example.com"), Notices.Down(), Notices.Delivery(), CancellationToken.None));

        failure.Permanent.ShouldBeTrue();
        failure.StatusCode.ShouldBe(535);
        server.Sessions.Single().Data.ShouldBeNull();
    }

    [Theory]
    [InlineData("451 4.3.0 try later", false)]
    [InlineData("554 5.7.1 rejected as spam", true)]
    public async Task The_answer_to_the_message_decides_permanence(string reply, bool permanent)
    {
        await using var server = SmtpTestServer.Start();
        server.DataReply = reply;
        var channel = new EmailChannel(Options(server, SmtpTlsMode.None), _clock);

        var failure = await Should.ThrowAsync<DeliveryException>(() => channel.SendAsync(Config("ops@example.com"), Notices.Down(), Notices.Delivery(), CancellationToken.None));

        failure.Permanent.ShouldBe(permanent);
    }

    [Fact]
    public async Task An_unreachable_SMTP_server_is_a_transient_failure()
    {
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var options = new SmtpOptions { Host = "127.0.0.1", Port = port, From = "alerts@example.com", TlsMode = SmtpTlsMode.None };

        var failure = await Should.ThrowAsync<DeliveryException>(() => new EmailChannel(options, _clock).SendAsync(Config("ops@example.com"), Notices.Down(), Notices.Delivery(), CancellationToken.None));

        failure.Permanent.ShouldBeFalse();
    }

    [Fact]
    public async Task A_monitor_name_cannot_add_headers()
    {
        await using var server = SmtpTestServer.Start();
        var channel = new EmailChannel(Options(server, SmtpTlsMode.None), _clock);

        await channel.SendAsync(Config("ops@example.com"), Notices.Down(name: "db\r\nBcc: thief@example.net"), Notices.Delivery(), CancellationToken.None);

        var mail = Parse(server.Sessions.Single().Data!);
        mail.Headers.Contains(HeaderId.Bcc).ShouldBeFalse();
        mail.Subject.ShouldBe("\U0001F534 db  Bcc: thief@example.net is DOWN");
        server.Sessions.Single().Recipients.ShouldBe(["ops@example.com"]);
    }

    [Fact]
    public void Validation_names_the_recipients_and_the_missing_server_settings()
    {
        var unconfigured = new EmailChannel(new SmtpOptions(), _clock);

        var errors = unconfigured.Validate(new JsonObject { ["to"] = new JsonArray("ops@example.com", "not an address") });

        errors[0].ShouldBe("'to' holds 'not an address', which is not an email address");
        errors.ShouldContain("email needs the server's SMTP settings: Lifeline:Smtp:Host is not set");
        errors.ShouldContain("email needs the server's SMTP settings: Lifeline:Smtp:From is not set");
        unconfigured.Validate([]).ShouldContain("'to' is required (an array of email addresses)");
    }

    [Fact]
    public async Task Sending_without_SMTP_settings_is_a_permanent_failure()
    {
        var failure = await Should.ThrowAsync<DeliveryException>(() =>
            new EmailChannel(new SmtpOptions(), _clock).SendAsync(Config("ops@example.com"), Notices.Down(), Notices.Delivery(), CancellationToken.None));

        failure.Permanent.ShouldBeTrue();
    }

    [Theory]
    [InlineData(SmtpTlsMode.StartTls, 587)]
    [InlineData(SmtpTlsMode.Tls, 465)]
    [InlineData(SmtpTlsMode.None, 25)]
    public void The_port_defaults_to_the_usual_one_of_the_mode(SmtpTlsMode mode, int port) =>
        new SmtpOptions { TlsMode = mode }.EffectivePort.ShouldBe(port);

    private static SmtpOptions Options(SmtpTestServer server, SmtpTlsMode mode) => new()
    {
        Host = "127.0.0.1",
        Port = server.Port,
        User = "alerts",
        Password = "s3cret",
        From = "Lifeline <alerts@example.com>",
        TlsMode = mode,
        HeloName = "lifeline.test",
    };

    private static MimeMessage Parse(string data) => MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(data)));

    private static ChannelConfig Config(params string[] to) =>
        Notices.Channel("email", new JsonObject { ["to"] = new JsonArray([.. to.Select(a => (JsonNode)a)]) });
}
