using System.Net;
using static FleetVpn.Server.Tests.Config.ConfigTestFiles;

namespace FleetVpn.Server.Tests.Config;

/// <summary>status-version and management: their values, and bad lines refused with file, line and directive.</summary>
public sealed class ManagementDirectiveTests : IDisposable
{
    private const int FirstExtraLine = 5;

    private readonly TemporaryDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Without_the_directives_status_is_version_1_and_there_is_no_management()
    {
        var options = Parse(Minimal);

        Assert.Equal(1, options.StatusVersion);
        Assert.Null(options.Management);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Status_version_takes_1_2_and_3(int version)
    {
        Assert.Equal(version, Parse(Minimal + $"status-version {version}\n").StatusVersion);
    }

    [Fact]
    public void Management_on_tcp_without_a_password()
    {
        var management = Parse(Minimal + "management 127.0.0.1 7505\n").Management;

        Assert.NotNull(management);
        Assert.Equal(IPAddress.Loopback, management.Address);
        Assert.Equal(7505, management.Port);
        Assert.False(management.IsUnix);
        Assert.Null(management.Password);
    }

    [Fact]
    public void Management_password_is_the_first_line_of_the_file()
    {
        var file = _temp.File("mgmt-pw.txt", "s3cret word\nsecond line\n");

        var management = Parse(Minimal + $"management 127.0.0.1 7505 {file}\n").Management;

        Assert.Equal("s3cret word", management?.Password);
    }

    [Fact]
    public void Management_on_a_unix_socket_resolves_its_path()
    {
        var management = Parse(Minimal + "management run/mgmt.sock unix\n").Management;

        Assert.NotNull(management);
        Assert.True(management.IsUnix);
        Assert.Equal(Path.Combine(KeysDirectory, "run", "mgmt.sock"), management.UnixPath);
    }

    [Theory]
    [InlineData("status-version 0", "status-version must be between 1 and 3, got 0")]
    [InlineData("status-version 4", "status-version must be between 1 and 3, got 4")]
    [InlineData("status-version two", "status-version: 'two' is not a non-negative integer")]
    [InlineData("status-version", "expects 1 argument, got 0")]
    [InlineData("management 127.0.0.1", "expects 2 to 3 arguments, got 1")]
    [InlineData("management 127.0.0.1 7505 pw extra", "expects 2 to 3 arguments, got 4")]
    [InlineData("management 127.0.0.1 0", "management port must be between 1 and 65535, got 0")]
    [InlineData("management 127.0.0.1 seven", "management port: 'seven' is not a non-negative integer")]
    [InlineData("management example.org 7505", "'example.org' is not an IP address (or use 'management PATH unix' for a unix socket)")]
    [InlineData("management 127.0.0.1 7505 stdin", "a password from stdin is not supported (the server runs unattended): name a file holding it")]
    public void Bad_values_are_refused_with_file_line_and_directive(string line, string reason)
    {
        var error = Refuse(Minimal + line + "\n");

        Assert.Equal("server.conf", error.File);
        Assert.Equal(FirstExtraLine, error.Line);
        Assert.Equal(line, error.Directive);
        Assert.Equal(reason, error.Reason);
    }

    [Fact]
    public void A_missing_or_empty_password_file_is_refused_at_its_line()
    {
        var empty = _temp.File("empty.txt", "");
        var missing = Path.Combine(_temp.Path, "missing.txt");

        var emptyError = Refuse(Minimal + $"management 127.0.0.1 7505 {empty}\n");
        var missingError = Refuse(Minimal + $"management 127.0.0.1 7505 {missing}\n");

        Assert.Equal(FirstExtraLine, emptyError.Line);
        Assert.Equal($"the password file {empty} is empty (its first line is the password)", emptyError.Reason);
        Assert.Equal(FirstExtraLine, missingError.Line);
        Assert.StartsWith($"cannot read the password file {missing}: ", missingError.Reason);
    }
}
