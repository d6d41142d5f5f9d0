namespace SegWeb.Server.Accounts;

/// <summary>The two roles.</summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string User = "user";
}
