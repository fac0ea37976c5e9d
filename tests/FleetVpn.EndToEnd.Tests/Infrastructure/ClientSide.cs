namespace FleetVpn.EndToEnd.Tests.Infrastructure;

/// <summary>
/// One client namespace of a <see cref="NetworkNamespacePair"/>: its number (1 for the first),
/// its name, its veth address, and the server namespace's address on the same veth link (the
/// address its clients use as <c>remote</c>).
/// </summary>
public sealed record ClientSide(int Number, string Namespace, string Address, string ServerAddress);
