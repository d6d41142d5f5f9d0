using System.CommandLine;
using SegWeb.Cli.Commands;

namespace SegWeb.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = BuildRootCommand();
        return CommandRunner.Invoke(root, args);
    }

    /// <summary>Every `segweb` command; each lives in its own file under Commands/.</summary>
    public static RootCommand BuildRootCommand()
    {
        var root = new RootCommand("SegWeb: automatic segmentation of CT and MR volumes.");
        foreach (var command in AllCommands())
        {
            root.Subcommands.Add(command);
        }

        return root;
    }

    private static IEnumerable<Command> AllCommands()
    {
        yield return VersionCommand.Create();
        yield return InfoCommand.Create();
        yield return BenchCommand.Create();
        yield return ConvertCommand.Create();
        yield return TasksCommand.Create();
        yield return ClassesCommand.Create();
        yield return StatsCommand.Create();
        yield return CombineMasksCommand.Create();
        yield return DicomSegCommand.Create();
        yield return DeidentifyCommand.Create();
        yield return ModelsCommand.Create();
        yield return SegmentCommand.Create();
    }
}
