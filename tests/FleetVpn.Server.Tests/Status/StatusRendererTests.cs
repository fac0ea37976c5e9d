using System.Diagnostics;
using Xunit.Abstractions;
using FleetVpn.Server.Status;

namespace FleetVpn.Server.Tests.Status;

/// <summary>
/// The three status formats against OpenVPN 2.6's (<c>multi_print_status()</c> in multi.c; the expected
/// texts below have the layout a real openvpn 2.6.14 server wrote for one client, with FleetVPN's title).
/// </summary>
public sealed class StatusRendererTests(ITestOutputHelper output)
{
    private static readonly DateTime Taken = new(2026, 11, 29, 6, 54, 16, DateTimeKind.Local);
    private static readonly DateTime Connected = new(2026, 11, 29, 6, 54, 12, DateTimeKind.Local);

    private static readonly StatusClientRow Client1 = new("client1", "10.79.0.2:60476", "10.8.0.2", 3282, 3398, Connected, Connected,
        ClientId: 0, PeerId: 0, "AES-256-GCM");

    private static readonly StatusClientRow Client2 = new("device-2", "10.79.0.3:1194", "10.8.0.3", 10, 20, Connected, Taken,
        ClientId: 5, PeerId: 5, "CHACHA20-POLY1305");

    private static string Render(int version, params StatusClientRow[] rows)
    {
        var text = new StringWriter { NewLine = "\n" };
        StatusRenderer.Render(StatusSnapshot.Of(Taken, rows), version, text);
        return text.ToString();
    }

    private static long Unix(DateTime local) => new DateTimeOffset(local).ToUnixTimeSeconds();

    [Fact]
    public void Version_1_has_the_client_list_routing_table_and_global_stats_sections()
    {
        Assert.Equal("""
            OpenVPN CLIENT LIST
            Updated,2026-11-29 06:54:16
            Common Name,Real Address,Bytes Received,Bytes Sent,Connected Since
            client1,10.79.0.2:60476,3282,3398,2026-11-29 06:54:12
            ROUTING TABLE
            Virtual Address,Common Name,Real Address,Last Ref
            10.8.0.2,client1,10.79.0.2:60476,2026-11-29 06:54:12
            GLOBAL STATS
            Max bcast/mcast queue length,0
            END

            """.ReplaceLineEndings("\n"), Render(1, Client1));
    }

    [Fact]
    public void Version_2_has_title_time_header_lines_and_comma_separated_rows()
    {
        Assert.Equal($"""
            TITLE,{ServerTitle.Text}
            TIME,2026-11-29 06:54:16,{Unix(Taken)}
            HEADER,CLIENT_LIST,Common Name,Real Address,Virtual Address,Virtual IPv6 Address,Bytes Received,Bytes Sent,Connected Since,Connected Since (time_t),Username,Client ID,Peer ID,Data Channel Cipher
            CLIENT_LIST,client1,10.79.0.2:60476,10.8.0.2,,3282,3398,2026-11-29 06:54:12,{Unix(Connected)},UNDEF,0,0,AES-256-GCM
            CLIENT_LIST,device-2,10.79.0.3:1194,10.8.0.3,,10,20,2026-11-29 06:54:12,{Unix(Connected)},UNDEF,5,5,CHACHA20-POLY1305
            HEADER,ROUTING_TABLE,Virtual Address,Common Name,Real Address,Last Ref,Last Ref (time_t)
            ROUTING_TABLE,10.8.0.2,client1,10.79.0.2:60476,2026-11-29 06:54:12,{Unix(Connected)}
            ROUTING_TABLE,10.8.0.3,device-2,10.79.0.3:1194,2026-11-29 06:54:16,{Unix(Taken)}
            GLOBAL_STATS,Max bcast/mcast queue length,0
            GLOBAL_STATS,dco_enabled,0
            END

            """.ReplaceLineEndings("\n"), Render(2, Client1, Client2));
    }

    [Fact]
    public void Version_3_is_version_2_with_tabs()
    {
        var version2 = Render(2, Client1, Client2);
        var version3 = Render(3, Client1, Client2);

        Assert.Equal(version2.Replace(',', '\t'), version3);
        Assert.DoesNotContain(",", version3);
    }

    [Fact]
    public void Every_row_has_as_many_fields_as_its_header_in_versions_2_and_3()
    {
        foreach (var (version, separator) in new[] { (2, ','), (3, '\t') })
        {
            var headers = new Dictionary<string, int>();
            var lines = Render(version, Client1, Client2).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            foreach (var fields in lines.Select(l => l.Split(separator)))
            {
                if (fields[0] == "HEADER") headers[fields[1]] = fields.Length - 2;
                else if (fields[0] is "CLIENT_LIST" or "ROUTING_TABLE") Assert.Equal(headers[fields[0]], fields.Length - 1);
            }
            Assert.Equal(2, headers.Count);
        }
    }

    [Fact]
    public void The_title_holds_no_separator()
    {
        Assert.DoesNotContain(",", ServerTitle.Text);
        Assert.DoesNotContain("\t", ServerTitle.Text);
        Assert.Contains("OpenVPN 2.6", ServerTitle.Text);
    }

    [Fact]
    public void No_clients_still_writes_every_header()
    {
        var text = Render(2);
        Assert.Contains("HEADER,CLIENT_LIST,", text);
        Assert.Contains("HEADER,ROUTING_TABLE,", text);
        Assert.DoesNotContain("\nCLIENT_LIST,", text);
        Assert.EndsWith("END\n", text);
    }

    [Fact]
    public void An_unknown_version_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Render(4, Client1));
    }

    [Fact]
    public void The_file_is_replaced_whole_and_no_temporary_file_is_left()
    {
        var directory = Directory.CreateTempSubdirectory("fleetvpn-status-");
        try
        {
            var path = Path.Combine(directory.FullName, "status.log");
            File.WriteAllText(path, "old contents\n");
            var writer = new StatusFileWriter(path, 3);

            writer.Write(StatusSnapshot.Of(Taken, [Client1]));

            Assert.Equal(Render(3, Client1), File.ReadAllText(path));
            Assert.Equal(["status.log"], directory.GetFiles().Select(f => f.Name));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>A figure, not an assertion on time: how long one version-2 file of 100,000 clients takes to write here.</summary>
    [Fact]
    public void A_file_of_100000_clients_is_complete()
    {
        var rows = Enumerable.Range(0, 100_000).Select(i => Client2 with
        {
            CommonName = $"device-{i:D6}",
            RealAddress = $"10.{i >> 16}.{(i >> 8) & 255}.{i & 255}:1194",
            VirtualAddress = $"100.{64 + (i >> 16)}.{(i >> 8) & 255}.{i & 255}",
            ClientId = i,
            PeerId = i,
        }).ToArray();
        var snapshot = StatusSnapshot.Of(Taken, rows);
        var directory = Directory.CreateTempSubdirectory("fleetvpn-status-");
        try
        {
            var path = Path.Combine(directory.FullName, "status.log");
            var writer = new StatusFileWriter(path, 2);
            writer.Write(snapshot); // warm-up
            var clock = Stopwatch.StartNew();
            writer.Write(snapshot);
            clock.Stop();

            var lines = File.ReadAllLines(path);
            Assert.Equal(100_000, lines.Count(l => l.StartsWith("CLIENT_LIST,", StringComparison.Ordinal)));
            Assert.Equal(100_000, lines.Count(l => l.StartsWith("ROUTING_TABLE,", StringComparison.Ordinal)));
            Assert.Equal("END", lines[^1]);
            output.WriteLine($"status-version 2, 100,000 clients: {new FileInfo(path).Length / 1024} KB written in {clock.Elapsed.TotalMilliseconds:0} ms (render + write + rename)");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
