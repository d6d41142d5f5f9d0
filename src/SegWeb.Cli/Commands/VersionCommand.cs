using System.CommandLine;
using System.Reflection;

namespace SegWeb.Cli.Commands;

/// <summary>`segweb version`: the SegWeb version and the runtime it runs on.</summary>
public static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Print SegWeb's version.");
        command.SetAction(parse =>
        {
            var version = typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            parse.InvocationConfiguration.Output.WriteLine($"segweb {version} (.NET {Environment.Version})");
            return 0;
        });
        return command;
    }
}
