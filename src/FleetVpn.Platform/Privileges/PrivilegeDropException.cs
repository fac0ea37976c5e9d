namespace FleetVpn.Platform.Privileges;

/// <summary>The process could not switch to the configured <c>user</c>/<c>group</c>; serving on as root is not an option.</summary>
public sealed class PrivilegeDropException(string message) : Exception(message);
