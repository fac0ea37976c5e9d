using System.Collections;
using FleetVpn.Platform.Memory;

namespace FleetVpn.Platform.Tests;

public sealed class MemorySettingsAtStartTests
{
    [Fact]
    public void A_plain_environment_gets_both_settings_the_budget_in_hexadecimal()
    {
        var missing = MemorySettingsAtStart.Missing(new Hashtable { ["PATH"] = "/usr/bin" }, 2, 8 * 1024 * 1024);
        Assert.Equal(["MALLOC_ARENA_MAX=2", "DOTNET_GCGen0MaxBudget=800000"], missing);
    }

    [Theory]
    [InlineData("MALLOC_ARENA_MAX", "4")]
    [InlineData("GLIBC_TUNABLES", "glibc.malloc.tcache_count=0:glibc.malloc.arena_max=1")]
    public void An_operator_arena_setting_is_kept(string name, string value)
    {
        var missing = MemorySettingsAtStart.Missing(new Hashtable { [name] = value }, 2, 0x800000);
        Assert.Equal(["DOTNET_GCGen0MaxBudget=800000"], missing);
    }

    [Fact]
    public void Unrelated_tunables_do_not_count_as_an_arena_setting()
    {
        var missing = MemorySettingsAtStart.Missing(new Hashtable { ["GLIBC_TUNABLES"] = "glibc.malloc.tcache_count=0" }, 2, 0x800000);
        Assert.Contains("MALLOC_ARENA_MAX=2", missing);
    }

    [Theory]
    [InlineData("DOTNET_GCGen0MaxBudget")]
    [InlineData("COMPlus_GCGen0MaxBudget")]
    public void An_operator_budget_is_kept_and_with_both_set_nothing_is_re_executed(string name)
    {
        var environment = new Hashtable { [name] = "2000000", ["MALLOC_ARENA_MAX"] = "8" };
        Assert.Empty(MemorySettingsAtStart.Missing(environment, 2, 0x800000));
    }
}
