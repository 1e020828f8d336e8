package dev.aoe.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aoe.boot.BootImages.MarkerRoot;
import dev.aoe.link.spec.LinkKind;
import dev.aoe.testing.Prerequisites;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real Linux initiator against our target with nothing of initrd-gen in between: a hand-built
 * initramfs (busybox, the modules in modprobe's order, a dozen lines of /init) mounts /dev/etherd/e0.1
 * served over a tap by the target on pcap; the root reads a file of known checksum, writes one, syncs and
 * powers off, and the host finds the written file in the image. MTU 1500 and 9000. (The target on
 * AF_PACKET, the library's default: {@link DirectBootIT}.)
 */
class LinuxInitiatorBootIT {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "MTU {0}, pcap link")
    @ValueSource(ints = {1500, 9000})
    void linuxBootsWithItsRootOnOurTarget(int mtu) throws Exception {
        BootImages.requireQemu(BootNetwork.TAP);
        Prerequisites.requireLibpcap();
        DebianKernel kernel = BootImages.kernel();
        List<Path> modules = kernel.modulesInLoadOrder("virtio_pci", "virtio_net", "crc32c_generic", "ext4", "aoe");
        Path initrd = BootImages.initramfs(dir, modules, BootImages.resource("initramfs-init.sh"));
        MarkerRoot root = BootImages.markerRoot(dir, mtu);
        try (BootedVm vm = AoeBoot.builder().image(root.image()).network(BootNetwork.TAP).targetLink(LinkKind.PCAP)
                .mtu(mtu).tapPrefix(BootImages.TAP_PREFIX).initrd(initrd).append("aoetest.mtu=" + mtu)
                .workDir(dir.resolve("work")).start()) {
            assertThat(vm.awaitConsole("AOE-MARKER sha256=|AOE-ROOT-FAIL", BootImages.BOOT)).as(vm.transcript())
                    .isEqualTo(root.marker());
            assertThat(vm.awaitConsole("AOE-MARKER-DONE", BootImages.BOOT)).isNotNull();
            assertThat(vm.awaitExit(Duration.ofSeconds(60))).as("the guest powers off").isTrue();
            assertThat(vm.console()).as("Linux picks the frame size the MTU allows")
                    .anyMatch(l -> l.contains("aoe: e0.1: setting " + (mtu == 1500 ? 1024 : 8704) + " byte data frames"))
                    .anyMatch(l -> l.contains("e0.1 v0100 has 131072 sectors"));
        }
        assertThat(BootImages.readExt4File(root.image(), "/written.txt")).isEqualTo(BootImages.WRITTEN);
    }
}
