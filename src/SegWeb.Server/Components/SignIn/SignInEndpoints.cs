using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using SegWeb.Server.Storage;

namespace SegWeb.Server.Components.SignIn;

/// <summary>
/// The form posts behind the sign-in page and the sign-out button. Form-bound minimal API endpoints validate the
/// antiforgery token (UseAntiforgery), so a cross-site form cannot sign a user in or out.
/// </summary>
internal static class SignInEndpoints
{
    public const string SignInAction = "/ui/signin";
    public const string SignOutAction = "/ui/signout";

    public static IEndpointRouteBuilder MapSignInEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost(SignInAction, SignInAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapPost(SignOutAction, SignOutAsync).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> SignInAsync([FromForm] SignInForm form, SignInManager<SegWebUser> signIn)
    {
        string returnUrl = SafeReturnUrl(form.ReturnUrl);
        var result = await signIn.PasswordSignInAsync(form.Email ?? "", form.Password ?? "", isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            return TypedResults.LocalRedirect(returnUrl);
        }

        string error = result.IsLockedOut ? "locked" : "wrong";
        return TypedResults.LocalRedirect($"{ComponentsSetup.SignInPath}?error={error}&returnUrl={Uri.EscapeDataString(returnUrl)}");
    }

    private static async Task<IResult> SignOutAsync(SignInManager<SegWebUser> signIn)
    {
        await signIn.SignOutAsync();
        return TypedResults.LocalRedirect(ComponentsSetup.SignInPath);
    }

    /// <summary>Only a local path (never "//host" or "/\host"), so the sign-in page cannot be used as an open redirect.</summary>
    internal static string SafeReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) ? url : "/";

    /// <summary>The sign-in form's fields.</summary>
    internal sealed class SignInForm
    {
        public string? Email { get; set; }

        public string? Password { get; set; }

        public string? ReturnUrl { get; set; }
    }
}
