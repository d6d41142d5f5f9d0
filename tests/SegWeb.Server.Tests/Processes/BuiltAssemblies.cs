using System.Reflection;

namespace SegWeb.Server.Tests.Processes;

/// <summary>
/// The repository's built programs, in the configuration (Debug/Release) and target framework this test assembly was
/// built as: a Release test run starts the Release server and CLI. The test project references both projects, so
/// building the tests builds them.
/// </summary>
internal static class BuiltAssemblies
{
    /// <summary>The configuration this test assembly was built as.</summary>
    public static string Configuration =>
        typeof(BuiltAssemblies).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    /// <summary>The built <c>segweb</c> command line (run it with <c>dotnet</c>).</summary>
    public static string CliDll => Find(Path.Combine("src", "SegWeb.Cli"), "segweb.dll");

    /// <summary><c>{project}/bin/{configuration}/{framework}/{assembly}</c>, or a clear failure naming the build to run.</summary>
    public static string Find(string projectFolder, string assembly)
    {
        string framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;
        string dll = Path.Combine(RepoPaths.Root, projectFolder, "bin", Configuration, framework, assembly);
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"not built: {dll} (dotnet build tests/SegWeb.Server.Tests -c {Configuration})", dll);
    }
}
