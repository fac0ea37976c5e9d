namespace FleetVpn.Pki;

/// <summary>
/// A refusal or a problem the operator can fix (a CA that already exists, a directory without a CA,
/// a name that is taken, a bad argument); its message is meant to be printed as it is.
/// </summary>
public sealed class PkiException(string message, Exception? inner = null) : Exception(message, inner);
