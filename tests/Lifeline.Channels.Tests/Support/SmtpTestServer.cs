using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Lifeline.Channels.Tests.Support;

/// <summary>What one SMTP conversation carried.</summary>
public sealed class SmtpTranscript
{
    public string? Helo { get; set; }
    public bool Secured { get; set; }
    public string? AuthMechanism { get; set; }
    public string? User { get; set; }
    public string? Password { get; set; }
    public string? MailFrom { get; set; }
    /// <summary>What followed the address in <c>MAIL FROM</c>, e.g. <c>SMTPUTF8</c>.</summary>
    public string? MailParameters { get; set; }
    public bool Authenticated { get; set; }
    public List<string> Recipients { get; } = [];
    /// <summary>The message as sent on the wire, dot-stuffing undone.</summary>
    public string? Data { get; set; }
    public bool Quit { get; set; }
}

/// <summary>
/// A small SMTP server on 127.0.0.1 speaking enough of RFC 5321 for the email channel: EHLO,
/// STARTTLS or implicit TLS with a self-made certificate, AUTH PLAIN, LOGIN and CRAM-MD5, an
/// optional SMTPUTF8, MAIL, RCPT, DATA, RSET, QUIT. Replies to RCPT and to the end of DATA can be
/// programmed.
/// </summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<SmtpTranscript> _sessions = new();
    private Task _accepting = Task.CompletedTask;

    public SmtpTestServer(bool implicitTls = false, bool offerStartTls = false, string[]? authMechanisms = null, bool offerSmtpUtf8 = false)
    {
        ImplicitTls = implicitTls;
        OfferStartTls = offerStartTls;
        AuthMechanisms = authMechanisms ?? ["PLAIN", "LOGIN"];
        OfferSmtpUtf8 = offerSmtpUtf8;
    }

    // One certificate for every test server: making a key is the slowest part of a test.
    private static readonly Lazy<X509Certificate2> SharedCertificate = new(MakeCertificate);

    public bool ImplicitTls { get; }
    public bool OfferStartTls { get; }
    public string[] AuthMechanisms { get; }
    public bool OfferSmtpUtf8 { get; }

    /// <summary>The only password AUTH accepts [s3cret].</summary>
    public string Password { get; set; } = "s3cret";
    public static X509Certificate2 Certificate => SharedCertificate.Value;
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Reply to <c>RCPT TO</c> for an address; default 250.</summary>
    public Func<string, string> RecipientReply { get; set; } = _ => "250 OK";

    /// <summary>Reply after the message's final dot; default 250.</summary>
    public string DataReply { get; set; } = "250 2.0.0 queued";

    public IReadOnlyList<SmtpTranscript> Sessions => [.. _sessions];

    /// <summary>Trusts exactly this server's certificate.</summary>
    public static RemoteCertificateValidationCallback TrustOurCertificate =>
        (_, certificate, _, _) => certificate is not null && certificate.GetCertHashString() == Certificate.GetCertHashString();

    public static SmtpTestServer Start(bool implicitTls = false, bool offerStartTls = false, string[]? authMechanisms = null, bool offerSmtpUtf8 = false)
    {
        var server = new SmtpTestServer(implicitTls, offerStartTls, authMechanisms, offerSmtpUtf8);
        server._listener.Start();
        server._accepting = server.AcceptAsync();
        return server;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        var transcript = new SmtpTranscript();
        _sessions.Enqueue(transcript);
        using (client)
        {
            try
            {
                Stream stream = client.GetStream();
                if (ImplicitTls)
                {
                    stream = await SecureAsync(stream);
                    transcript.Secured = true;
                }
                await ConverseAsync(stream, transcript);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
            {
                // The client went away; what was captured stays.
            }
        }
    }

    private async Task ConverseAsync(Stream stream, SmtpTranscript transcript)
    {
        var (reader, writer) = Open(stream);
        await writer.WriteAsync("220 test.local ESMTP ready\r\n");
        while (await reader.ReadLineAsync(_stop.Token) is { } line)
        {
            var verb = line.Split(' ')[0].ToUpperInvariant();
            switch (verb)
            {
                case "EHLO":
                    transcript.Helo = line[5..];
                    var lines = new List<string> { "test.local greets you", "8BITMIME" };
                    if (OfferSmtpUtf8)
                    {
                        lines.Add("SMTPUTF8");
                    }
                    if (OfferStartTls && !transcript.Secured)
                    {
                        lines.Add("STARTTLS");
                    }
                    if (!OfferStartTls || transcript.Secured)
                    {
                        lines.Add("AUTH " + string.Join(' ', AuthMechanisms));
                    }
                    for (var i = 0; i < lines.Count; i++)
                    {
                        await writer.WriteAsync($"250{(i == lines.Count - 1 ? ' ' : '-')}{lines[i]}\r\n");
                    }
                    break;
                case "STARTTLS":
                    await writer.WriteAsync("220 2.0.0 go ahead\r\n");
                    stream = await SecureAsync(stream);
                    transcript.Secured = true;
                    (reader, writer) = Open(stream);
                    break;
                case "AUTH":
                    await AuthenticateAsync(line, reader, writer, transcript);
                    break;
                case "MAIL":
                    transcript.MailFrom = Between(line);
                    transcript.MailParameters = line[(line.IndexOf('>', StringComparison.Ordinal) + 1)..].Trim();
                    await writer.WriteAsync("250 OK\r\n");
                    break;
                case "RCPT":
                    var reply = RecipientReply(Between(line));
                    if (reply.StartsWith('2'))
                    {
                        transcript.Recipients.Add(Between(line));
                    }
                    await writer.WriteAsync(reply + "\r\n");
                    break;
                case "DATA":
                    await writer.WriteAsync("354 end with <CRLF>.<CRLF>\r\n");
                    var data = new StringBuilder();
                    while (await reader.ReadLineAsync(_stop.Token) is { } dataLine && dataLine != ".")
                    {
                        data.Append(dataLine.StartsWith("..", StringComparison.Ordinal) ? dataLine[1..] : dataLine).Append("\r\n");
                    }
                    transcript.Data = data.ToString();
                    await writer.WriteAsync(DataReply + "\r\n");
                    break;
                case "RSET":
                    await writer.WriteAsync("250 OK\r\n");
                    break;
                case "QUIT":
                    transcript.Quit = true;
                    await writer.WriteAsync("221 bye\r\n");
                    return;
                default:
                    await writer.WriteAsync("502 5.5.2 unknown command\r\n");
                    break;
            }
        }
    }

    private async Task AuthenticateAsync(string line, StreamReader reader, StreamWriter writer, SmtpTranscript transcript)
    {
        var words = line.Split(' ');
        transcript.AuthMechanism = words[1].ToUpperInvariant();
        if (!AuthMechanisms.Contains(transcript.AuthMechanism))
        {
            await writer.WriteAsync("504 5.5.4 mechanism not offered\r\n");
            return;
        }
        switch (transcript.AuthMechanism)
        {
            case "PLAIN":
                var parts = Encoding.UTF8.GetString(Convert.FromBase64String(words.Length > 2 ? words[2] : await AskAsync(""))).Split('\0');
                (transcript.User, transcript.Password) = (parts[1], parts[2]);
                transcript.Authenticated = transcript.Password == Password;
                break;
            case "LOGIN":
                transcript.User = Encoding.UTF8.GetString(Convert.FromBase64String(words.Length > 2 ? words[2] : await AskAsync("Username:")));
                transcript.Password = Encoding.UTF8.GetString(Convert.FromBase64String(await AskAsync("Password:")));
                transcript.Authenticated = transcript.Password == Password;
                break;
            case "CRAM-MD5":
                // RFC 2195: the client answers the challenge with its user and the HMAC-MD5 of the challenge under the password.
                var challenge = $"<{RandomNumberGenerator.GetInt32(int.MaxValue)}.1@test.local>";
                var answer = Encoding.UTF8.GetString(Convert.FromBase64String(await AskAsync(challenge))).Split(' ');
                transcript.User = answer[0];
#pragma warning disable CA5351 // CRAM-MD5 is defined with MD5; this checks a client, it protects nothing.
                var expected = Convert.ToHexStringLower(HMACMD5.HashData(Encoding.UTF8.GetBytes(Password), Encoding.UTF8.GetBytes(challenge)));
#pragma warning restore CA5351
                transcript.Authenticated = answer.Length == 2 && answer[1] == expected;
                break;
        }
        await writer.WriteAsync(transcript.Authenticated ? "235 2.7.0 accepted\r\n" : "535 5.7.8 authentication failed\r\n");

        async Task<string> AskAsync(string prompt)
        {
            await writer.WriteAsync($"334 {Convert.ToBase64String(Encoding.UTF8.GetBytes(prompt))}\r\n");
            return await reader.ReadLineAsync() ?? "";
        }
    }

    private async Task<Stream> SecureAsync(Stream stream)
    {
        var tls = new SslStream(stream);
        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = Certificate }, _stop.Token);
        return tls;
    }

    private static (StreamReader, StreamWriter) Open(Stream stream) =>
        (new StreamReader(stream, Encoding.UTF8, false, 1024, leaveOpen: true),
         new StreamWriter(stream, new UTF8Encoding(false), 1024, leaveOpen: true) { AutoFlush = true, NewLine = "\r\n" });

    private static string Between(string line)
    {
        var start = line.IndexOf('<', StringComparison.Ordinal);
        var end = line.IndexOf('>', StringComparison.Ordinal);
        return start >= 0 && end > start ? line[(start + 1)..end] : "";
    }

    private static X509Certificate2 MakeCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero));
        // Reloaded from PKCS#12 so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
