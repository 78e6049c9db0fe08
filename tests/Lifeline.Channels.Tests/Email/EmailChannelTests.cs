using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Lifeline.Channels.Email;
using Lifeline.Channels.Tests.Support;
using Lifeline.Testing;

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

        var mail = MimeReader.Parse(session.Data!);
        mail.Headers["Date"].ShouldBe("Mon, 05 Jan 2026 12:00:00 +0000");
        mail.Headers["From"].ShouldBe("\"Lifeline\" <alerts@example.com>");
        mail.Headers["To"].ShouldBe("<ops@example.com>, \"Ana\" <ana@example.org>");
        MimeReader.DecodeWords(mail.Headers["Subject"]).ShouldBe("\U0001F534 backup-db is DOWN");
        mail.Headers["Message-ID"].ShouldBe("<lifeline.dlv_7f3a@example.com>");
        mail.Headers["MIME-Version"].ShouldBe("1.0");
        mail.Headers["Content-Type"].ShouldStartWith("multipart/alternative; boundary=");

        var parts = mail.Parts();
        parts.Count.ShouldBe(2);
        parts[0].Headers["Content-Type"].ShouldBe("text/plain; charset=utf-8");
        parts[0].Headers["Content-Transfer-Encoding"].ShouldBe("quoted-printable");
        var text = parts[0].DecodedBody();
        text.ShouldStartWith("backup-db is DOWN\r\n\r\nDown since 2026-01-05 12:00:00 UTC.");
        text.ShouldContain("Reason: no signal for 20 min");
        text.ShouldContain("Last message: disk 91% full");
        text.ShouldContain("http://127.0.0.1:5080/#/monitors/mon_42");
        parts[1].Headers["Content-Type"].ShouldBe("text/html; charset=utf-8");
        var html = parts[1].DecodedBody();
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

        server.Sessions.Select(s => MimeReader.Parse(s.Data!).Headers["Message-ID"]).Distinct().Count().ShouldBe(1);
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
        MimeReader.DecodeWords(MimeReader.Parse(session.Data!).Headers["Subject"]).ShouldBe("\u2705 backup-db is UP again");
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
    public async Task One_refused_recipient_does_not_stop_the_others()
    {
        await using var server = SmtpTestServer.Start();
        server.RecipientReply = address => address.StartsWith("gone", StringComparison.Ordinal) ? "550 5.1.1 no such user" : "250 OK";
        var channel = new EmailChannel(Options(server, SmtpTlsMode.None), _clock);

        await channel.SendAsync(Config("gone@example.com", "ops@example.com"), Notices.Down(), Notices.Delivery(), CancellationToken.None);

        server.Sessions.Single().Recipients.ShouldBe(["ops@example.com"]);
        server.Sessions.Single().Data.ShouldNotBeNull();
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

        var mail = MimeReader.Parse(server.Sessions.Single().Data!);
        mail.Headers.ContainsKey("Bcc").ShouldBeFalse();
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

    private static ChannelConfig Config(params string[] to) =>
        Notices.Channel("email", new JsonObject { ["to"] = new JsonArray([.. to.Select(a => (JsonNode)a)]) });
}
