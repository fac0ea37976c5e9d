namespace FleetVpn.Pki;

/// <summary>
/// A line of <c>DIR/revoked.txt</c>: a revoked certificate's serial (hex, as <c>openssl x509 -serial</c> prints it),
/// when it was revoked, and its common name when known.
/// </summary>
public sealed record RevokedCertificate(string SerialHex, DateTimeOffset RevokedAt, string? CommonName)
{
    /// <summary>The serial in decimal: the file name that revokes it in a <c>crl-verify DIR dir</c> directory.</summary>
    public string SerialDecimal => Revocations.ToBigInteger(SerialHex).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
