using System.CommandLine;
using Lifeline.Cli.Commands;

// The one executable: the server (serve) and the client commands share it.
var root = new RootCommand("Lifeline: push (dead man's switch) and health endpoint monitoring with alerts that are never lost.")
{
    ServeCommand.Create(),
    PingCommand.Create(),
    RunCommand.Create(),
    AgentCommand.Create(),
    ProbeCommand.Create(),
    StoreCommand.Create(),
    ImportCommand.Create(),
};

return await root.Parse(args).InvokeAsync();
