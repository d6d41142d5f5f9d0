using Xunit;

namespace SegWeb.Testing;

/// <summary>
/// The shared real test data (`../shared/data` beside the repository, or the folder named by the
/// SEGWEB_TEST_DATA environment variable). A user's fresh checkout may not have it: tests that need it call
/// <see cref="Require"/>, which skips them with a reason that names the missing path. CI always has it, and
/// the test command sets SEGWEB_REQUIRE_TEST_DATA=1 there so that a missing folder fails instead of skipping.
/// </summary>
public static class TestData
{
    public static string Root
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("SEGWEB_TEST_DATA");
            if (!string.IsNullOrEmpty(configured))
            {
                return Path.GetFullPath(configured);
            }

            return Path.GetFullPath(Path.Combine(RepoPaths.Root, "..", "shared", "data"));
        }
    }

    /// <summary>The full path of a file or folder under the test data, skipping the test when it is absent.</summary>
    public static string Require(string relativePath)
    {
        var path = Path.Combine(Root, relativePath);
        if (File.Exists(path) || Directory.Exists(path))
        {
            return path;
        }

        var reason = $"test data not found: {path} (set SEGWEB_TEST_DATA to the shared data folder)";
        if (Environment.GetEnvironmentVariable("SEGWEB_REQUIRE_TEST_DATA") == "1")
        {
            throw new FileNotFoundException(reason, path);
        }

        Skip.If(true, reason);
        return path;
    }
}
