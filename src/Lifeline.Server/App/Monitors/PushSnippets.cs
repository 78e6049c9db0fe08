namespace Lifeline.Server.App.Monitors;

/// <summary>A copy-paste snippet for sending signals to a push monitor.</summary>
public sealed record PushSnippet(string Id, string Title, string Text);

/// <summary>
/// Healthchecks-style snippets for a push monitor, with its real URLs (or the token masked for a
/// viewer): curl, cron with <c>lifeline run</c>, bash with the exit status, Python, Node,
/// PowerShell, C# with Lifeline.Client, and the agent's systemd unit.
/// </summary>
public static class PushSnippets
{
    public static IReadOnlyList<PushSnippet> For(string baseUrl, string token)
    {
        var ping = $"{baseUrl}/ping/{token}";
        var push = $"{baseUrl}/api/push/{token}";
        return
        [
            new("curl", "curl", $"""
                # Healthchecks style: success, /fail, /start, or an exit status
                curl -fsS -m 10 --retry 5 {ping}
                # Uptime Kuma style: status, msg, ping (ms) in the query
                curl -fsS -m 10 --retry 5 "{push}?status=up&msg=OK"
                """),
            new("cron", "Cron with lifeline run", $"""
                # m h dom mon dow  command: /start before, the exit status and output tail after
                15 3 * * *  /usr/local/bin/lifeline run --url {ping} -- /opt/backup.sh
                """),
            new("bash", "Bash with the exit status", $"""
                #!/usr/bin/env bash
                curl -fsS -m 10 --retry 5 -o /dev/null {ping}/start
                /opt/backup.sh
                curl -fsS -m 10 --retry 5 -o /dev/null {ping}/$?
                """),
            new("python", "Python", $"""
                import urllib.request

                try:
                    urllib.request.urlopen("{ping}", timeout=10)
                except OSError as e:
                    print("lifeline ping failed:", e)
                """),
            new("node", "Node.js", $"""
                // Node 18+: fetch is built in
                fetch("{ping}", {"{"} signal: AbortSignal.timeout(10000) {"}"})
                  .catch((e) => console.error("lifeline ping failed:", e.message));
                """),
            new("powershell", "PowerShell", $"""
                Invoke-RestMethod -Uri "{ping}" -TimeoutSec 10 | Out-Null
                """),
            new("csharp", "C# with Lifeline.Client", $"""
                // A heartbeat while the app runs (Program.cs)
                builder.Services.AddLifelineHeartbeat("{push}", TimeSpan.FromSeconds(30));

                // Or one signal, retried for up to 30 s
                var sender = new PushSender(LifelineHttp.Shared);
                await sender.SendAsync(PushRequests.Signal(new Uri("{push}"), new PushSignal(Up: true, Message: "OK")),
                    retryFor: TimeSpan.FromSeconds(30), CancellationToken.None);
                """),
            new("systemd", "The agent as a systemd unit", $"""
                # /etc/systemd/system/lifeline-agent.service
                [Unit]
                Description=Lifeline heartbeat agent
                After=network-online.target
                Wants=network-online.target

                [Service]
                ExecStart=/usr/local/bin/lifeline agent --url {push} --interval 30
                Restart=always
                DynamicUser=yes

                [Install]
                WantedBy=multi-user.target
                """),
        ];
    }

    /// <summary>What a viewer sees instead of a token: nothing of it.</summary>
    public static string Mask(string token) => new('•', 12);
}
