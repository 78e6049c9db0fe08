using System.CommandLine;

namespace Lifeline.Cli.Commands;

/// <summary><c>lifeline serve</c>: runs the server.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var command = new Command("serve", "Run the Lifeline server (dashboard, API and push endpoints).");
        command.SetAction((_, _) => Task.FromResult(0));
        return command;
    }
}
