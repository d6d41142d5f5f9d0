using System.CommandLine;
using SegWeb.Imaging;
using SegWeb.Models.Download;
using SegWeb.Models.Packages;

namespace SegWeb.Cli.Commands;

/// <summary>`segweb models verify &lt;name&gt;`: re-hash a package's files against the SHA-256 in its provenance.</summary>
public static class ModelsVerifyCommand
{
    /// <summary>The `models verify` command.</summary>
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "An installed model package's name." };
        var modelsDir = new Option<string?>("--models-dir") { Description = "Models folder (default: $SEGWEB_MODELS_DIR or ~/.segweb/models)." };
        var command = new Command("verify", "Check a model package's files against the SHA-256 hashes in its manifest.") { name, modelsDir };
        command.SetAction(parse =>
        {
            var packageName = parse.GetValue(name)!;
            ModelNames.Check(packageName);
            var folder = Path.Combine(ModelsDirectory.Resolve(parse.GetValue(modelsDir)), packageName);
            if (!Directory.Exists(folder))
            {
                throw new SegWebException($"model '{packageName}' is not installed ({folder} does not exist)");
            }

            var package = ModelPackage.Load(folder);
            var problems = package.Verify();
            var output = parse.InvocationConfiguration.Output;
            if (problems.Count == 0)
            {
                output.WriteLine($"{packageName}: OK ({package.Manifest.Provenance.Sha256.Count} file(s) match their SHA-256)");
                return CommandRunner.ExitOk;
            }

            foreach (var problem in problems)
            {
                output.WriteLine(problem);
            }

            throw new SegWebException($"{packageName}: {problems.Count} file(s) fail verification");
        });
        return command;
    }
}
