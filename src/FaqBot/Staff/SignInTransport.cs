using System.Net;

namespace FaqBot.Staff;

/// <summary>Staff passwords travel over HTTPS, or over plain HTTP only from this machine (development, an SSH tunnel, a local proxy).</summary>
public static class SignInTransport
{
    public static bool IsAllowed(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Request.IsHttps || IsLoopback(context.Connection.RemoteIpAddress);
    }

    public static bool IsLoopback(IPAddress? address) =>
        address is not null && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
}
