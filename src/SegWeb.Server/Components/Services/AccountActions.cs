using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using SegWeb.Server.Accounts;
using SegWeb.Server.Storage;

namespace SegWeb.Server.Components.Services;

/// <summary>A user as the admin page lists them.</summary>
public sealed record UserRow(string Id, string? Email, IReadOnlyList<string> Roles, bool LockedOut);

/// <summary>
/// The account and admin pages' actions: API keys (the same generation and hashing as /api/v1/account/keys: the
/// secret is returned once and only its SHA-256 is stored) and user management.
/// </summary>
public sealed class AccountActions(IServiceScopeFactory scopes)
{
    /// <summary>The owner's keys, oldest first, never with a secret.</summary>
    public async Task<IReadOnlyList<Accounts.AccountEndpoints.ApiKeyView>> ListKeysAsync(string ownerId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SegWebDbContext>();
        return await db.ApiKeys.AsNoTracking().Where(k => k.OwnerId == ownerId).OrderBy(k => k.CreatedAt)
            .Select(k => new AccountEndpoints.ApiKeyView(k.Id, k.Name, k.Prefix, k.CreatedAt, k.RevokedAt)).ToListAsync(cancellationToken);
    }

    /// <summary>Creates a key; the returned secret is shown once and cannot be read back.</summary>
    public async Task<AccountEndpoints.CreatedApiKey> CreateKeyAsync(string ownerId, string? name, CancellationToken cancellationToken)
    {
        string key = ApiKeys.Generate();
        string trimmed = string.IsNullOrWhiteSpace(name) ? "api key" : name.Trim();
        var record = new ApiKeyRecord
        {
            Id = Guid.NewGuid(),
            OwnerId = ownerId,
            Name = trimmed[..Math.Min(100, trimmed.Length)],
            Hash = ApiKeys.Hash(key),
            Prefix = key[..10],
            CreatedAt = DateTime.UtcNow,
        };
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SegWebDbContext>();
        db.ApiKeys.Add(record);
        await db.SaveChangesAsync(cancellationToken);
        return new AccountEndpoints.CreatedApiKey(record.Id, record.Name, key, record.CreatedAt);
    }

    /// <summary>Revokes one of the owner's keys (idempotent). False: not the owner's key.</summary>
    public async Task<bool> RevokeKeyAsync(string ownerId, Guid keyId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SegWebDbContext>();
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == keyId && k.OwnerId == ownerId, cancellationToken);
        if (key is null)
        {
            return false;
        }

        key.RevokedAt ??= DateTime.UtcNow;
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>Every user with their roles, by e-mail.</summary>
    public async Task<IReadOnlyList<UserRow>> ListUsersAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SegWebDbContext>();
        var users = await db.Users.AsNoTracking().OrderBy(u => u.Email).ToListAsync(cancellationToken);
        var roles = await (from ur in db.UserRoles.AsNoTracking()
                           join r in db.Roles.AsNoTracking() on ur.RoleId equals r.Id
                           select new { ur.UserId, r.Name }).ToListAsync(cancellationToken);
        var now = DateTimeOffset.UtcNow;
        return users.Select(u => new UserRow(
            u.Id, u.Email,
            roles.Where(r => r.UserId == u.Id && r.Name is not null).Select(r => r.Name!).Order(StringComparer.Ordinal).ToList(),
            u.LockoutEnd is { } end && end > now)).ToList();
    }

    /// <summary>Creates a user with the role (admin also gets user, as the API does).</summary>
    /// <exception cref="UiActionException">Unknown role, or Identity refused (duplicate e-mail, weak password).</exception>
    public async Task CreateUserAsync(string email, string password, string role)
    {
        if (role is not (Roles.User or Roles.Admin))
        {
            throw new UiActionException($"unknown role '{role}' (use '{Roles.User}' or '{Roles.Admin}')");
        }

        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<SegWebUser>>();
        var user = new SegWebUser { UserName = email, Email = email, EmailConfirmed = true };
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded)
        {
            throw new UiActionException(string.Join("; ", created.Errors.Select(e => e.Description)));
        }

        await users.AddToRolesAsync(user, role == Roles.Admin ? [Roles.Admin, Roles.User] : [Roles.User]);
    }
}
