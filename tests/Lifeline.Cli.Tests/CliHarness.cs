using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Lifeline.Cli.Client;
using Lifeline.Cli.Commands;
using Lifeline.Client.Push;

namespace Lifeline.Cli.Tests;

/// <summary>Runs the client commands in-process with captured output and quick retries.</summary>
internal sealed class CliHarness : IDisposable
{
    public static readonly PushRetryOptions FastRetry = new()
    {
        FirstDelay = TimeSpan.FromMilliseconds(50),
        MaxDelay = TimeSpan.FromMilliseconds(200),
        AttemptTimeout = TimeSpan.FromSeconds(5),
    };

    public StringWriter Messages { get; } = new();

    public CaptureStream StandardOutput { get; } = new();

    public CaptureStream StandardError { get; } = new();

    public CliEnvironment Environment { get; init; }

    public CliHarness(TimeProvider? time = null, IPushSender? sender = null) =>
        Environment = new CliEnvironment
        {
            Time = time ?? TimeProvider.System,
            Error = TextWriter.Synchronized(Messages),
            OpenStandardOutput = () => StandardOutput,
            OpenStandardError = () => StandardError,
            Retry = FastRetry,
            Sender = sender,
        };

    public async Task<int> InvokeAsync(params string[] args) => await InvokeAsync(CancellationToken.None, args);

    public async Task<int> InvokeAsync(CancellationToken cancellationToken, params string[] args)
    {
        var root = new RootCommand
        {
            PingCommand.Create(Environment),
            RunCommand.Create(Environment),
            AgentCommand.Create(Environment),
            ProbeCommand.Create(Environment),
        };
        var configuration = new InvocationConfiguration
        {
            Output = TextWriter.Synchronized(Messages),
            Error = TextWriter.Synchronized(Messages),
            ProcessTerminationTimeout = null,
        };
        return await root.Parse(args).InvokeAsync(configuration, cancellationToken);
    }

    public void Dispose()
    {
        Messages.Dispose();
        StandardOutput.Dispose();
        StandardError.Dispose();
    }

    /// <summary>A port on 127.0.0.1 that nothing listens on (bound for a moment, then released).</summary>
    public static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

/// <summary>An in-memory stream that notes when the first byte arrived.</summary>
internal sealed class CaptureStream : Stream
{
    private readonly Lock _gate = new();
    private readonly MemoryStream _bytes = new();
    private readonly Stopwatch _since = Stopwatch.StartNew();

    /// <summary>Time from the stream's creation to its first write.</summary>
    public TimeSpan? FirstWriteAfter { get; private set; }

    public string Text
    {
        get
        {
            lock (_gate)
            {
                return System.Text.Encoding.UTF8.GetString(_bytes.ToArray());
            }
        }
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        lock (_gate)
        {
            FirstWriteAfter ??= _since.Elapsed;
            _bytes.Write(buffer);
        }
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _bytes.Dispose();
        }
        base.Dispose(disposing);
    }
}
