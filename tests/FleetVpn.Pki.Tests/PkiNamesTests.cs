namespace FleetVpn.Pki.Tests;

public sealed class PkiNamesTests
{
    [Theory]
    [InlineData("device-", 1, "device-000001")]
    [InlineData("device-", 999999, "device-999999")]
    [InlineData("device-", 1000000, "device-1000000")]
    [InlineData("", 42, "000042")]
    public void Client_names_are_zero_padded_to_six_digits(string prefix, long number, string expected)
    {
        Assert.Equal(expected, PkiNames.ClientName(prefix, number));
        Assert.Equal(number, PkiNames.ClientNumber(prefix, expected));
    }

    [Theory]
    [InlineData("device-", "device-12345")]
    [InlineData("device-", "device-00001a")]
    [InlineData("device-", "sensor-000001")]
    [InlineData("device-", "device-000001-old")]
    [InlineData("device-", "server")]
    public void Other_names_are_not_client_numbers(string prefix, string name)
    {
        Assert.Null(PkiNames.ClientNumber(prefix, name));
    }

    [Theory]
    [InlineData("server")]
    [InlineData("vpn.example.com")]
    [InlineData("device_1@site")]
    public void Accepts_file_safe_common_names(string name) => PkiNames.ValidateCommonName(name);

    [Fact]
    public void Refuses_a_name_longer_than_64_characters()
    {
        PkiNames.ValidateCommonName(new string('a', 64));
        Assert.Throws<PkiException>(() => PkiNames.ValidateCommonName(new string('a', 65)));
    }
}
