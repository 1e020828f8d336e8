package dev.aoe.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aoe.boot.Milestone.Kind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Lines as Linux, iPXE, our initramfs and dnsmasq print them (from the boots in /tmp/bootlab and ours). */
class MilestoneWatchTest {

    final List<Milestone> heard = new ArrayList<>();
    final MilestoneWatch watch = new MilestoneWatch(System.nanoTime(), new BootListener() {
        @Override
        public void milestone(Milestone m) {
            heard.add(m);
        }
    }, "e0.1");

    @Test
    void consoleLines() {
        for (String line : List.of(
                "Registered SAN device 0x80",
                "Probing EDD (edd=off to disable)... o[    0.000000] Linux version 6.1.0-57-amd64 (debian-kernel@lists.debian.org)",
                "[    6.319083] aoe: e0.1: setting 1024 byte data frames",
                "[    6.334225] aoe: 0200ae008703 e0.1 v0100 has 131072 sectors",
                "[    6.334225] aoe: 525400123457 e0.2 v4019 has 163840 sectors",
                "[    7.858769] EXT4-fs (etherd!e0.1p2): mounted filesystem with ordered data mode. Quota mode: none.",
                "aoe-initrd: switching to /dev/etherd/e0.1p2 (/dev/etherd/e0.1p2), running /sbin/init",
                "[    9.324349] EXT4-fs (etherd!e0.1p2): re-mounted. Quota mode: none.")) {
            watch.console(line);
        }
        assertThat(heard).extracting(Milestone::kind).containsExactly(Kind.IPXE_ATTACHED, Kind.KERNEL_STARTED,
                Kind.AOE_FOUND, Kind.AOE_FOUND, Kind.ROOT_MOUNTED);
        assertThat(heard).extracting(Milestone::detail).containsExactly("e0.1", "6.1.0-57-amd64", "e0.1 (131072 sectors)",
                "e0.2 (163840 sectors)", "/dev/etherd/e0.1p2");
    }

    @Test
    void dnsmasqLines() {
        for (String line : List.of(
                "dnsmasq-dhcp[15807]: 484532525 DHCPOFFER(aoetap1x1) 192.0.2.111 52:54:00:12:34:56",
                "dnsmasq-dhcp[15807]: 484532525 DHCPACK(aoetap1x1) 192.0.2.111 52:54:00:12:34:56",
                "dnsmasq-dhcp[15807]: 484532525 sent size: 10 option: 67 bootfile-name  boot.ipxe",
                "dnsmasq-tftp[15807]: sent /tmp/aoe-boot-1/tftp/boot.ipxe to 192.0.2.111",
                "dnsmasq-tftp[15807]: sent /tmp/aoe-boot-1/tftp/vmlinuz to 192.0.2.111",
                "dnsmasq-dhcp[15807]: 484532526 DHCPACK(aoetap1x1) 192.0.2.111 52:54:00:12:34:56")) {
            watch.dnsmasq(line);
        }
        assertThat(heard).extracting(Milestone::toString).allMatch(s -> s.matches(" *\\d+\\.\\d s  .*"));
        assertThat(heard).extracting(m -> m.kind().label() + " " + m.detail()).containsExactly(
                "DHCP lease served 192.0.2.111 to 52:54:00:12:34:56", "TFTP sent boot.ipxe", "TFTP sent vmlinuz");
    }
}
