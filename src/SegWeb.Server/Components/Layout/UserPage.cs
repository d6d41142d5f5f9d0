using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using SegWeb.Server.Accounts;

namespace SegWeb.Server.Components.Layout;

/// <summary>A page for the signed-in user: resolves <see cref="OwnerId"/> before the page's own initialisation.</summary>
public abstract class UserPage : ComponentBase
{
    [CascadingParameter]
    private Task<AuthenticationState>? AuthenticationState { get; set; }

    /// <summary>The signed-in user's id (every page but sign-in requires a signed-in user).</summary>
    protected string OwnerId { get; private set; } = "";

    /// <summary>True for administrators.</summary>
    protected bool IsAdmin { get; private set; }

    protected override async Task OnInitializedAsync()
    {
        if (AuthenticationState is not null)
        {
            var user = (await AuthenticationState).User;
            if (user.Identity?.IsAuthenticated == true)
            {
                OwnerId = user.UserId();
                IsAdmin = user.IsInRole(Roles.Admin);
            }
        }

        await OnUserInitializedAsync();
    }

    /// <summary>The page's initialisation, with <see cref="OwnerId"/> set.</summary>
    protected virtual Task OnUserInitializedAsync() => Task.CompletedTask;
}
