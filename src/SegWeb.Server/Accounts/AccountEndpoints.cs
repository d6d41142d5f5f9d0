using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using SegWeb.Server.Storage;

namespace SegWeb.Server.Accounts;

/// <summary>Login for the UI (Identity cookie), the caller's API keys, and user management for admins.</summary>
public static class AccountEndpoints
{
    /// <summary>Login credentials.</summary>
    public sealed record LoginRequest(string Email, string Password);

    /// <summary>A new API key's name.</summary>
    public sealed record CreateKeyRequest(string? Name);

    /// <summary>A key as listed (never the secret).</summary>
    public sealed record ApiKeyView(Guid Id, string Name, string Prefix, DateTime CreatedAt, DateTime? RevokedAt);

    /// <summary>A key just created: <see cref="Key"/> is shown this once and never again.</summary>
    public sealed record CreatedApiKey(Guid Id, string Name, string Key, DateTime CreatedAt);

    /// <summary>The caller.</summary>
    public sealed record MeView(string Id, string? Email, IReadOnlyList<string> Roles);

    /// <summary>A user an admin creates.</summary>
    public sealed record CreateUserRequest(string Email, string Password, string? Role);

    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/api/v1/account").WithTags("Account");
        account.MapPost("/login", Login).AllowAnonymous();
        account.MapPost("/logout", async (SignInManager<SegWebUser> signIn) =>
        {
            await signIn.SignOutAsync();
            return TypedResults.NoContent();
        });
        account.MapGet("/me", (ClaimsPrincipal user) =>
            TypedResults.Ok(new MeView(user.UserId(), user.FindFirstValue(ClaimTypes.Name), user.FindAll(ClaimTypes.Role).Select(c => c.Value).ToList())));
        account.MapGet("/keys", ListKeys);
        account.MapPost("/keys", CreateKey);
        account.MapDelete("/keys/{id:guid}", RevokeKey);

        var admin = app.MapGroup("/api/v1/admin").WithTags("Admin").RequireAuthorization(Roles.Admin);
        admin.MapPost("/users", CreateUser);
        return app;
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Login(LoginRequest request, SignInManager<SegWebUser> signIn, Audit.AuditLog audit)
    {
        var result = await signIn.PasswordSignInAsync(request.Email ?? "", request.Password ?? "", isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded && await signIn.UserManager.FindByEmailAsync(request.Email ?? "") is { } signedIn)
        {
            await audit.RecordAsync(Audit.AuditActions.Login, "user", signedIn.Id, signedIn.Id);
        }

        return result.Succeeded
            ? TypedResults.NoContent()
            : TypedResults.Problem(result.IsLockedOut ? "too many failed logins: the account is locked for a while" : "wrong e-mail or password", statusCode: StatusCodes.Status401Unauthorized);
    }

    private static async Task<Ok<List<ApiKeyView>>> ListKeys(ClaimsPrincipal user, SegWebDbContext db, CancellationToken ct)
    {
        string owner = user.UserId();
        var keys = await db.ApiKeys.AsNoTracking().Where(k => k.OwnerId == owner).OrderBy(k => k.CreatedAt)
            .Select(k => new ApiKeyView(k.Id, k.Name, k.Prefix, k.CreatedAt, k.RevokedAt)).ToListAsync(ct);
        return TypedResults.Ok(keys);
    }

    private static async Task<Created<CreatedApiKey>> CreateKey(CreateKeyRequest? request, ClaimsPrincipal user, SegWebDbContext db, Audit.AuditLog audit, CancellationToken ct)
    {
        string key = ApiKeys.Generate();
        var record = new ApiKeyRecord
        {
            Id = Guid.NewGuid(),
            OwnerId = user.UserId(),
            Name = string.IsNullOrWhiteSpace(request?.Name) ? "api key" : request.Name.Trim()[..Math.Min(100, request.Name.Trim().Length)],
            Hash = ApiKeys.Hash(key),
            Prefix = key[..10],
            CreatedAt = DateTime.UtcNow,
        };
        db.ApiKeys.Add(record);
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(Audit.AuditActions.KeyCreated, "api-key", record.Id.ToString());
        return TypedResults.Created($"/api/v1/account/keys/{record.Id}", new CreatedApiKey(record.Id, record.Name, key, record.CreatedAt));
    }

    private static async Task<Results<NoContent, NotFound>> RevokeKey(Guid id, ClaimsPrincipal user, SegWebDbContext db, Audit.AuditLog audit, CancellationToken ct)
    {
        string owner = user.UserId();
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id && k.OwnerId == owner, ct);
        if (key is null)
        {
            return TypedResults.NotFound();
        }

        key.RevokedAt ??= DateTime.UtcNow;
        await db.SaveChangesAsync(ct);
        await audit.RecordAsync(Audit.AuditActions.KeyRevoked, "api-key", key.Id.ToString());
        return TypedResults.NoContent();
    }

    private static async Task<Results<Created<MeView>, ProblemHttpResult>> CreateUser(CreateUserRequest request, UserManager<SegWebUser> users)
    {
        string role = request.Role ?? Roles.User;
        if (role is not (Roles.User or Roles.Admin))
        {
            return TypedResults.Problem($"unknown role '{role}' (use '{Roles.User}' or '{Roles.Admin}')", statusCode: StatusCodes.Status400BadRequest);
        }

        var user = new SegWebUser { UserName = request.Email, Email = request.Email, EmailConfirmed = true };
        var created = await users.CreateAsync(user, request.Password ?? "");
        if (!created.Succeeded)
        {
            return TypedResults.Problem(string.Join("; ", created.Errors.Select(e => e.Description)), statusCode: StatusCodes.Status400BadRequest);
        }

        string[] roles = role == Roles.Admin ? [Roles.Admin, Roles.User] : [Roles.User];
        await users.AddToRolesAsync(user, roles);
        return TypedResults.Created($"/api/v1/admin/users/{user.Id}", new MeView(user.Id, user.Email, roles));
    }
}
