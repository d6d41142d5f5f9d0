using System.Security.Claims;

namespace SegWeb.Server.Accounts;

/// <summary>The signed-in user's id, from either the Identity cookie or an API key.</summary>
public static class UserIdentity
{
    /// <summary>The user id (the fallback policy guarantees an authenticated user on every API route).</summary>
    public static string UserId(this ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("no authenticated user");
    }
}
