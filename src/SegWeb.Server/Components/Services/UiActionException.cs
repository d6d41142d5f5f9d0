namespace SegWeb.Server.Components.Services;

/// <summary>An action the user asked for was refused (the same reasons the API gives as problems); the page shows the message.</summary>
public sealed class UiActionException : Exception
{
    public UiActionException()
    {
    }

    public UiActionException(string message)
        : base(message)
    {
    }

    public UiActionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
