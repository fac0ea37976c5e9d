using System.Diagnostics;
using System.Text.RegularExpressions;
using FleetVpn.EndToEnd.Tests.Infrastructure;

namespace FleetVpn.EndToEnd.Tests;

/// <summary>
/// <c>status FILE N</c> with <c>status-version 1|2|3</c>: with a real openvpn client connected, FleetVPN's file is read
/// by an existing parser's rules (kumina/openvpn_exporter's for versions 2 and 3, <see cref="OpenVpnExporterRules"/>;
/// the version-1 layout for version 1, <see cref="StatusFile"/>), and its structure (section and HEADER lines, the
/// number of fields of every row, the GLOBAL_STATS keys) is the one the real openvpn 2.6 server writes in the same
/// situation, started on the same configuration in the same namespace.
/// </summary>
public sealed partial class StatusVersionTests(E2EFixture env, ITestOutputHelper output) : IClassFixture<E2EFixture>
{
    private static readonly TimeSpan ListedTimeout = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task The_status_file_of_each_version_reads_like_openvpns(int version)
    {
        var fleet = await StatusWithClientAsync(ServerKind.FleetVpn, version);
        var stock = await StatusWithClientAsync(ServerKind.OpenVpn, version);
        output.WriteLine($"FleetVPN, status-version {version}:\n{fleet}\nopenvpn 2.6, status-version {version}:\n{stock}");
        string name = env.Pki.Client1.CommonName;

        if (version == 1)
        {
            var parsed = StatusFile.TryRead(WriteTemp(fleet)) ?? throw new Xunit.Sdk.XunitException("the version-1 reader refuses FleetVPN's file");
            Assert.Equal([name], parsed.Clients.Select(c => c.CommonName));
            Assert.Contains(parsed.Routes, r => r.CommonName == name && r.VirtualAddress == Net.FirstClientAddress);
        }
        else
        {
            // The exporter's rules accept the stock server's file (a check of the rules themselves) and FleetVPN's.
            var stockRead = OpenVpnExporterRules.Read(stock);
            Assert.Equal(1, stockRead.ConnectedClients);
            var read = OpenVpnExporterRules.Read(fleet);
            Assert.Equal(1, read.ConnectedClients);
            var client = read.Clients[0];
            Assert.Equal(name, client["Common Name"]);
            Assert.Equal(Net.FirstClientAddress, client["Virtual Address"]);
            Assert.Matches(AddressAndPort(), client["Real Address"]);
            Assert.True(long.Parse(client["Bytes Received"]) > 0 && long.Parse(client["Bytes Sent"]) > 0, $"no bytes counted: {fleet}");
            Assert.Equal(client["Client ID"], client["Peer ID"]);
            Assert.Equal(name, Assert.Single(read.Routes)["Common Name"]);
            Assert.InRange(read.UpdateTime, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 5);

            // The columns both servers must fill alike for the same client and configuration.
            var stockClient = stockRead.Clients[0];
            foreach (var column in new[] { "Common Name", "Virtual Address", "Virtual IPv6 Address", "Username", "Data Channel Cipher" })
                Assert.True(stockClient[column] == client[column], $"column '{column}': openvpn writes '{stockClient[column]}', FleetVPN '{client[column]}'");
        }

        Assert.Equal(Shape(stock, version), Shape(fleet, version));
    }

    /// <summary>
    /// Starts <paramref name="kind"/> with <c>status-version</c>, connects client1, and returns the first complete status
    /// file that lists it; the server and client are stopped again.
    /// </summary>
    private async Task<string> StatusWithClientAsync(ServerKind kind, int version)
    {
        await using var server = await env.StartServerAsync(output, new ServerConfig
        {
            StatusInterval = 1,
            Extra = [$"status-version {version}"],
        }, kind);
        await using var client = await env.ConnectClientAsync(output, new ClientConfig { Identity = env.Pki.Client1 });
        await TunnelAssertions.AssertConnectedAndPingingAsync(env, client, server);
        long pinged = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string path = server.StatusPath!;
        string row = version switch
        {
            1 => $"\n{client.Name},",
            2 => $"\nCLIENT_LIST,{client.Name},",
            _ => $"\nCLIENT_LIST\t{client.Name}\t",
        };
        var clock = Stopwatch.StartNew();
        string text = "";
        while (clock.Elapsed < ListedTimeout)
        {
            try { text = await File.ReadAllTextAsync(path); }
            catch (IOException) { text = ""; }
            // A file written after the pings (whole seconds: one second later), so the byte counts include them.
            if (text.Contains(row, StringComparison.Ordinal) && text.EndsWith("END\n", StringComparison.Ordinal) && WrittenAt(text) > pinged)
                return text;
            await Task.Delay(100);
        }
        throw new Xunit.Sdk.XunitException($"{kind}'s status file never listed {client.Name} with traffic within {ListedTimeout.TotalSeconds} s:\n{text}\n{server.Process.Describe()}");
    }

    /// <summary>
    /// What must be the same in both servers' files: every line that is not a client's data as it is, and for the
    /// other lines their kind and number of fields (v1: sections and column lines; v2/v3: TITLE, TIME, HEADER, rows,
    /// GLOBAL_STATS keys).
    /// </summary>
    private static IReadOnlyList<string> Shape(string text, int version)
    {
        var shape = new List<string>();
        char separator = version == 3 ? '\t' : ',';
        string? section = null;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(separator);
            if (version == 1)
            {
                if (line is "OpenVPN CLIENT LIST" or "ROUTING TABLE" or "GLOBAL STATS" or "END") { section = line; shape.Add(line); }
                else if (line.StartsWith("Updated,", StringComparison.Ordinal)) shape.Add($"Updated: {fields.Length} fields");
                else if (line.StartsWith("Common Name,", StringComparison.Ordinal) || line.StartsWith("Virtual Address,", StringComparison.Ordinal)) shape.Add(line);
                else if (section == "GLOBAL STATS") shape.Add($"global {fields[0]}: {fields.Length} fields");
                else shape.Add($"{section} row: {fields.Length} fields");
            }
            else
            {
                shape.Add(fields[0] switch
                {
                    "HEADER" or "END" => line,
                    "GLOBAL_STATS" => $"GLOBAL_STATS {fields[1]}: {fields.Length} fields",
                    _ => $"{fields[0]}: {fields.Length} fields",
                });
            }
        }
        return shape;
    }

    /// <summary>When the file says it was written (v1: "Updated,local time"; v2/v3: TIME's time_t), in seconds since 1970.</summary>
    private static long WrittenAt(string text)
    {
        var first = text.Split('\n').Skip(1).FirstOrDefault() ?? "";
        var fields = first.Split(first.Contains('\t') ? '\t' : ',');
        if (fields[0] == "TIME" && fields.Length == 3 && long.TryParse(fields[2], out var unix)) return unix;
        if (fields[0] == "Updated" && fields.Length == 2
            && DateTime.TryParseExact(fields[1], "yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeLocal, out var local))
            return new DateTimeOffset(local).ToUnixTimeSeconds();
        return 0;
    }

    private string WriteTemp(string text)
    {
        var path = Path.Combine(env.TempDirectory, $"status-copy-{Guid.NewGuid():N}.log");
        File.WriteAllText(path, text);
        return path;
    }

    [GeneratedRegex(@"^\d+\.\d+\.\d+\.\d+:\d+$")]
    private static partial Regex AddressAndPort();
}
