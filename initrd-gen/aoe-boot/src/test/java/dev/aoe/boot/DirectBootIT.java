package dev.aoe.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aoe.boot.BootImages.MarkerRoot;
import dev.aoe.boot.Milestone.Kind;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A direct boot over a tap, as the library does it by default: Debian's kernel (PVH), the initramfs
 * built for it, the target in-process on AF_PACKET, the root on /dev/etherd/e0.1; at MTU 1500 and 9000,
 * where Linux must pick the frame size the MTU allows. (direct × udp runs as an unprivileged user in
 * aoe-cli's BootCommandIT.)
 */
class DirectBootIT {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "MTU {0}")
    @ValueSource(ints = {1500, 9000})
    void directBootOverATap(int mtu) throws Exception {
        BootImages.requireQemu(BootNetwork.TAP);
        BootImages.kernel();
        MarkerRoot root = BootImages.markerRoot(dir, mtu);
        String tap;
        try (BootedVm vm = AoeBoot.builder().image(root.image()).network(BootNetwork.TAP).mtu(mtu)
                .tapPrefix(BootImages.TAP_PREFIX).workDir(dir.resolve("work")).start()) {
            tap = vm.tapName();
            assertThat(Files.readString(Path.of("/sys/class/net", tap, "mtu")).strip()).isEqualTo(Integer.toString(mtu));
            BootImages.bootsToTheMarker(vm, root);
            assertThat(BootImages.kinds(vm)).containsSubsequence(Kind.TARGET_UP, Kind.KERNEL_STARTED, Kind.AOE_FOUND,
                    Kind.ROOT_MOUNTED);
            assertThat(vm.console()).as("Linux picks the frame size the MTU allows")
                    .anyMatch(l -> l.contains("aoe: e0.1: setting " + (mtu == 1500 ? 1024 : 8704) + " byte data frames"));
            assertThat(vm.console()).anyMatch(l -> l.contains("aoe-initrd: switching to /dev/etherd/e0.1"));
        }
        assertThat(Path.of("/sys/class/net", tap)).as("the tap is gone").doesNotExist();
        assertThat(BootImages.readExt4File(root.image(), "/written.txt")).isEqualTo(BootImages.WRITTEN);
    }
}
