using MudBlazor;

namespace SegWeb.Server.Components.Layout;

/// <summary>
/// MudBlazor's default palette with darker status colours: the defaults (orange warning, light-blue info, green
/// success) fail WCAG AA contrast (4.5:1) as text on their own light tint, which is how alerts show them; axe-core
/// in the browser tests holds the pages to that.
/// </summary>
internal static class SegWebTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1a56a8",
            Secondary = "#6b2f8a",
            Info = "#0b5394",
            Success = "#1b5e20",
            Warning = "#7a4300",
            Error = "#b00020",
        },
    };
}
