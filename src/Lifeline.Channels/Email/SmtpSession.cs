using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Lifeline.Channels.Email;

/// <summary>An SMTP reply: its three-digit code and its text lines.</summary>
internal sealed record SmtpReply(int Code, IReadOnlyList<string> Lines)
{
    public string Text => string.Join(" ", Lines);
}

/// <summary>
/// A minimal SMTP client (RFC 5321): EHLO, STARTTLS or implicit TLS, AUTH PLAIN or LOGIN,
/// MAIL, RCPT, DATA with dot-stuffing, QUIT. Any refusal becomes a <see cref="DeliveryException"/>:
/// 5xx permanent, 4xx and network failures transient. It never writes the password anywhere but
/// the AUTH exchange.
/// </summary>
internal sealed class SmtpSession : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private Stream _stream;
    private LineReader _reader;
    private HashSet<string> _extensions = new(StringComparer.OrdinalIgnoreCase);
    private List<string> _authMechanisms = [];

    private SmtpSession(TcpClient tcp, Stream stream)
    {
        _tcp = tcp;
        _stream = stream;
        _reader = new LineReader(stream);
    }

    /// <summary>Connects, greets, secures and authenticates as the options say.</summary>
    public static async Task<SmtpSession> OpenAsync(SmtpOptions options, RemoteCertificateValidationCallback? validateCertificate, CancellationToken ct)
    {
        var host = options.Host!;
        var tcp = new TcpClient();
        SmtpSession? session = null;
        try
        {
            await tcp.ConnectAsync(host, options.EffectivePort, ct);
            Stream stream = tcp.GetStream();
            if (options.TlsMode == SmtpTlsMode.Tls)
            {
                stream = await SecureAsync(stream, host, validateCertificate, ct);
            }
            session = new SmtpSession(tcp, stream);
            Expect(await session.ReadReplyAsync(ct), "greeting", 220);
            var helo = string.IsNullOrWhiteSpace(options.HeloName) ? System.Net.Dns.GetHostName() : options.HeloName;
            await session.HelloAsync(helo, ct);
            if (options.TlsMode == SmtpTlsMode.StartTls)
            {
                if (!session._extensions.Contains("STARTTLS"))
                {
                    throw new DeliveryException("the SMTP server does not offer STARTTLS (set Lifeline:Smtp:TlsMode to tls or none)", permanent: true);
                }
                Expect(await session.CommandAsync("STARTTLS", ct), "STARTTLS", 220);
                if (session._reader.HasBuffered)
                {
                    // Anything sent before the handshake could be injected by a man in the middle.
                    throw new DeliveryException("the SMTP server sent data before the TLS handshake", permanent: false);
                }
                session._stream = await SecureAsync(session._stream, host, validateCertificate, ct);
                session._reader = new LineReader(session._stream);
                await session.HelloAsync(helo, ct);
            }
            if (!string.IsNullOrEmpty(options.User))
            {
                await session.AuthenticateAsync(options.User, options.Password ?? "", ct);
            }
            return session;
        }
        catch
        {
            if (session is not null)
            {
                await session.DisposeAsync();
            }
            else
            {
                tcp.Dispose();
            }
            throw;
        }
    }

    /// <summary>Sends one message; returns the recipients the server refused (others got it).</summary>
    public async Task<IReadOnlyList<string>> SendAsync(string sender, IReadOnlyList<string> recipients, string message, CancellationToken ct)
    {
        Expect(await CommandAsync($"MAIL FROM:<{sender}>", ct), "MAIL FROM", 250);
        var refused = new List<string>();
        foreach (var recipient in recipients)
        {
            var reply = await CommandAsync($"RCPT TO:<{recipient}>", ct);
            if (reply.Code is 250 or 251)
            {
                continue;
            }
            if (reply.Code >= 500)
            {
                refused.Add($"{recipient} ({reply.Code} {reply.Text})");
                continue;
            }
            // A temporary refusal: nothing has been sent yet, so the whole message is retried later.
            await CommandAsync("RSET", ct);
            Expect(reply, $"RCPT TO:<{recipient}>", 250);
        }
        if (refused.Count == recipients.Count)
        {
            await CommandAsync("RSET", ct);
            throw new DeliveryException($"the SMTP server refused every recipient: {string.Join(", ", refused)}", permanent: true);
        }
        Expect(await CommandAsync("DATA", ct), "DATA", 354);
        await WriteAsync(DotStuff(message) + ".\r\n", ct);
        Expect(await ReadReplyAsync(ct), "end of DATA", 250);
        return refused;
    }

    public async Task QuitAsync(CancellationToken ct)
    {
        try
        {
            await CommandAsync("QUIT", ct);
        }
        catch (Exception ex) when (ex is IOException or SocketException or DeliveryException)
        {
            // The message was accepted; a rude goodbye changes nothing.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }

    private async Task HelloAsync(string name, CancellationToken ct)
    {
        var reply = await CommandAsync($"EHLO {name}", ct);
        Expect(reply, "EHLO", 250);
        _extensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        _authMechanisms = [];
        foreach (var line in reply.Lines.Skip(1))
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0)
            {
                continue;
            }
            // Some old servers still write AUTH=PLAIN LOGIN.
            var keyword = words[0].Split('=')[0];
            _extensions.Add(keyword);
            if (keyword.Equals("AUTH", StringComparison.OrdinalIgnoreCase))
            {
                var mechanisms = words[0].Contains('=', StringComparison.Ordinal) ? [words[0].Split('=')[1], .. words[1..]] : words[1..];
                _authMechanisms.AddRange(mechanisms.Select(m => m.ToUpperInvariant()));
            }
        }
    }

    private async Task AuthenticateAsync(string user, string password, CancellationToken ct)
    {
        if (_authMechanisms.Contains("PLAIN"))
        {
            var token = Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user}\0{password}"));
            Expect(await CommandAsync($"AUTH PLAIN {token}", ct), "AUTH PLAIN", 235);
            return;
        }
        if (_authMechanisms.Contains("LOGIN"))
        {
            Expect(await CommandAsync("AUTH LOGIN", ct), "AUTH LOGIN", 334);
            Expect(await CommandAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(user)), ct), "AUTH LOGIN user", 334);
            Expect(await CommandAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(password)), ct), "AUTH LOGIN password", 235);
            return;
        }
        throw new DeliveryException(
            _extensions.Contains("STARTTLS")
                ? "the SMTP server offers no AUTH PLAIN or LOGIN before STARTTLS (set Lifeline:Smtp:TlsMode to starttls)"
                : "the SMTP server offers no AUTH PLAIN or LOGIN",
            permanent: true);
    }

    // Commands are never logged or put into messages: the AUTH ones carry credentials.
    private async Task<SmtpReply> CommandAsync(string command, CancellationToken ct)
    {
        await WriteAsync(command + "\r\n", ct);
        return await ReadReplyAsync(ct);
    }

    private async Task WriteAsync(string text, CancellationToken ct)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
        await _stream.FlushAsync(ct);
    }

    private async Task<SmtpReply> ReadReplyAsync(CancellationToken ct)
    {
        var lines = new List<string>();
        while (true)
        {
            var line = await _reader.ReadLineAsync(ct) ?? throw new IOException("the SMTP server closed the connection");
            if (line.Length < 3 || !int.TryParse(line.AsSpan(0, 3), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code))
            {
                throw new IOException($"not an SMTP reply: {NoticeText.Cut(line, 80)}");
            }
            lines.Add(line.Length > 4 ? line[4..] : "");
            if (line.Length == 3 || line[3] != '-')
            {
                return new SmtpReply(code, lines);
            }
        }
    }

    private static void Expect(SmtpReply reply, string step, int code)
    {
        if (reply.Code == code)
        {
            return;
        }
        throw new DeliveryException(
            $"SMTP {step} refused: {reply.Code} {NoticeText.Cut(reply.Text, 200)}",
            permanent: reply.Code >= 500,
            statusCode: reply.Code);
    }

    private static async Task<Stream> SecureAsync(Stream stream, string host, RemoteCertificateValidationCallback? validate, CancellationToken ct)
    {
        var tls = new SslStream(stream, leaveInnerStreamOpen: false);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = host,
            RemoteCertificateValidationCallback = validate,
        }, ct);
        return tls;
    }

    /// <summary>Doubles a leading dot on every line and makes sure the message ends with CRLF.</summary>
    internal static string DotStuff(string message)
    {
        var text = message.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal);
        if (!text.EndsWith("\r\n", StringComparison.Ordinal))
        {
            text += "\r\n";
        }
        if (text.StartsWith('.'))
        {
            text = "." + text;
        }
        return text.Replace("\r\n.", "\r\n..", StringComparison.Ordinal);
    }

    /// <summary>Reads CRLF-terminated lines; knows whether bytes are waiting past the last line.</summary>
    private sealed class LineReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[4096];
        private int _start;
        private int _end;

        public bool HasBuffered => _end > _start;

        public async Task<string?> ReadLineAsync(CancellationToken ct)
        {
            var line = new List<byte>(128);
            while (true)
            {
                if (_start == _end)
                {
                    _start = 0;
                    _end = await stream.ReadAsync(_buffer, ct);
                    if (_end == 0)
                    {
                        return line.Count > 0 ? Encoding.UTF8.GetString(line.ToArray()) : null;
                    }
                }
                var b = _buffer[_start++];
                if (b == '\n')
                {
                    return Encoding.UTF8.GetString(line.ToArray()).TrimEnd('\r');
                }
                if (line.Count > 4096)
                {
                    throw new IOException("SMTP reply line too long");
                }
                line.Add(b);
            }
        }
    }
}
