using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using FleetVpn.LoadBalancer;

namespace FleetVpn.Cli.Commands;

/// <summary>
/// <c>fleetvpn lb --nodes FILE --vip ADDR [--port N] [--hash address|address-port] [--ruleset FILE] [--print]</c>: the
/// load balancer's health checker. It probes each node's <c>/health</c> every interval and rewrites the nftables table
/// <c>ip fleetvpn_lb</c> (<see cref="NftRuleset"/>) with `nft -f` whenever a node goes down or comes back, so that a
/// dead node gets no devices; the buckets move by rendezvous hashing, so only the dead node's devices move.
/// Exit codes: 0 stopped by SIGINT/SIGTERM (or --print done), 1 bad arguments or nft refused the ruleset.
/// </summary>
internal static class LbCommand
{
    public const int ExitOk = 0;
    public const int ExitError = 1;

    public static Command Create()
    {
        var nodes = new Option<string>("--nodes") { Description = "The nodes file: one 'ADDRESS HEALTH-URL' a line ('#' comments).", HelpName = "FILE", Required = true };
        var vip = new Option<string>("--vip") { Description = "The load balancer's IPv4 address the devices send to.", HelpName = "ADDR", Required = true };
        var port = new Option<int>("--port") { Description = "The UDP port of the VIP and of the nodes.", HelpName = "N", DefaultValueFactory = _ => 1194 };
        var hash = new Option<string>("--hash")
        {
            Description = "What picks a device's node: 'address' (source address only: a device whose NAT port changes keeps its node and session) " +
                "or 'address-port' (even behind shared NAT addresses, but a port change moves the device and it reconnects).",
            HelpName = "address|address-port",
            DefaultValueFactory = _ => "address",
        };
        var interval = new Option<double>("--interval") { Description = "Seconds between health probes.", HelpName = "S", DefaultValueFactory = _ => 1 };
        var failAfter = new Option<int>("--fail-after") { Description = "Failed probes in a row before a node is taken out.", HelpName = "N", DefaultValueFactory = _ => 2 };
        var rise = new Option<int>("--rise") { Description = "Good probes in a row before a node is taken back.", HelpName = "N", DefaultValueFactory = _ => 2 };
        var ruleset = new Option<string>("--ruleset") { Description = "Where the generated ruleset is written for nft -f.", HelpName = "FILE", DefaultValueFactory = _ => "/run/fleetvpn-lb.nft" };
        var print = new Option<bool>("--print") { Description = "Print the ruleset with every node up and exit (nothing is probed or applied)." };
        var command = new Command("lb",
            "Health-check FleetVPN nodes and keep the nftables load balancer (table ip fleetvpn_lb: stateless jhash over 4096 buckets, " +
            "rendezvous-assigned to the live nodes) up to date with nft -f. Exit codes: 0 stopped (SIGINT/SIGTERM) or --print done, " +
            "1 bad arguments or nft refused the ruleset.")
        {
            nodes, vip, port, hash, interval, failAfter, rise, ruleset, print,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            LbOptions options;
            try
            {
                options = new LbOptions
                {
                    Nodes = LbNodeList.Read(parse.GetRequiredValue(nodes)),
                    Vip = ParseVip(parse.GetRequiredValue(vip)),
                    Port = Check(parse.GetValue(port), 1, 65535, "--port"),
                    Hash = parse.GetValue(hash) switch
                    {
                        "address" => LbHash.Address,
                        "address-port" => LbHash.AddressPort,
                        var other => throw new FormatException($"--hash '{other}' is not 'address' or 'address-port'"),
                    },
                    Interval = TimeSpan.FromSeconds(Check(parse.GetValue(interval), 0.1, 3600, "--interval")),
                    FailAfter = Check(parse.GetValue(failAfter), 1, 100, "--fail-after"),
                    RiseAfter = Check(parse.GetValue(rise), 1, 100, "--rise"),
                    RulesetPath = parse.GetRequiredValue(ruleset),
                };
            }
            catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"lb: {e.Message}");
                return ExitError;
            }
            if (parse.GetValue(print))
            {
                Console.Write(NftRuleset.Render(options.Vip, options.Port, options.Hash, options.Nodes,
                    BucketAssignment.Assign(options.Nodes.Select(n => n.Id).ToList(), options.Buckets)));
                return ExitOk;
            }
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
            var controller = new LoadBalancerController(options, line => Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {line}"));
            try
            {
                await controller.RunAsync(stop.Token);
                return ExitOk;
            }
            catch (IOException e)
            {
                await Console.Error.WriteLineAsync($"lb: {e.Message}");
                return ExitError;
            }
        });
        return command;
    }

    private static IPAddress ParseVip(string text) =>
        IPAddress.TryParse(text, out var address) && address.AddressFamily == AddressFamily.InterNetwork && text.Count(c => c == '.') == 3
            ? address : throw new FormatException($"--vip '{text}' is not an IPv4 address");

    private static T Check<T>(T value, T min, T max, string name) where T : IComparable<T> =>
        value.CompareTo(min) >= 0 && value.CompareTo(max) <= 0 ? value : throw new FormatException($"{name} must be between {min} and {max}, not {value}");
}
