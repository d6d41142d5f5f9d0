using System.CommandLine;
using SegWeb.Imaging;

namespace SegWeb.Cli.Commands;

/// <summary>
/// Runs a parsed command with SegWeb's error contract: a <see cref="SegWebException"/> (bad input, a
/// refused request) is one line on stderr and exit code 1; anything else is a bug, reported with its type
/// and exit code 70 (EX_SOFTWARE). Usage errors from the parser exit with 2.
/// </summary>
public static class CommandRunner
{
    public const int ExitOk = 0;
    public const int ExitFailure = 1;
    public const int ExitUsage = 2;
    public const int ExitInternalError = 70;

    public static int Invoke(RootCommand root, string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        var config = new InvocationConfiguration
        {
            Output = stdout ?? Console.Out,
            Error = stderr ?? Console.Error,
            EnableDefaultExceptionHandler = false,
        };
        var error = stderr ?? Console.Error;
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors)
            {
                error.WriteLine($"segweb: {e.Message}");
            }

            return ExitUsage;
        }

        try
        {
            return parse.Invoke(config);
        }
        catch (SegWebException ex)
        {
            error.WriteLine($"segweb: {ex.Message}");
            return ExitFailure;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("segweb: cancelled");
            return ExitFailure;
        }
        catch (IOException ex)
        {
            error.WriteLine($"segweb: {ex.Message}");
            return ExitFailure;
        }
        catch (UnauthorizedAccessException ex)
        {
            error.WriteLine($"segweb: {ex.Message}");
            return ExitFailure;
        }
#pragma warning disable CA1031 // The last line of defence: a bug still gets one clear line and a distinct exit code.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            error.WriteLine($"segweb: internal error ({ex.GetType().Name}): {ex.Message}");
            return ExitInternalError;
        }
    }
}
