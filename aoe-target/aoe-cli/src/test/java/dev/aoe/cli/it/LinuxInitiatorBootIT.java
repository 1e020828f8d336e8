package dev.aoe.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.hash.Hashing;
import dev.aoe.testing.BootImages;
import dev.aoe.testing.DebianKernel;
import dev.aoe.testing.NetworkNamespace;
import dev.aoe.testing.Prerequisites;
import dev.aoe.testing.QemuGuest;
import dev.aoe.testing.TargetProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The real Linux initiator: Debian 12's kernel boots in QEMU with its root file system on
 * /dev/etherd/e0.1 served by ./aoe target over a tap, reads a file of known checksum, writes one,
 * syncs and powers off; the host then finds the written file in the image.
 */
class LinuxInitiatorBootIT {

    private static final Duration BOOT_TIMEOUT = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "MTU {0}, {1} link")
    @CsvSource({"1500, pcap", "9000, pcap", "1500, afpacket", "9000, afpacket"})
    void linuxBootsWithItsRootOnAoeTarget(int mtu, String link) throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireLibpcap();
        DebianKernel kernel = DebianKernel.get();
        List<Path> modules = kernel.modulesInLoadOrder("virtio_pci", "virtio_net", "crc32c_generic", "ext4", "aoe");
        Path initrd = BootImages.initramfs(dir, modules, BootImages.resource("initramfs-init.sh"));
        byte[] data = new byte[1 << 20];
        new Random(mtu).nextBytes(data);
        Path root = BootImages.ext4Root(dir, 64, Map.of("data.bin", data,
                "sbin/init", BootImages.resource("root-init.sh").getBytes(StandardCharsets.UTF_8)));
        String checksum = Hashing.sha256().hashBytes(data).toString();

        try (NetworkNamespace ns = NetworkNamespace.withTap(mtu);
             TargetProcess target = TargetProcess.start(ns, 1, "--link", link, "0", "1", ns.inside(),
                     root.toString());
             QemuGuest guest = QemuGuest.boot(ns, kernel.vmlinux(), initrd, "aoetest.mtu=" + mtu)) {
            String marker = guest.await(l -> l.contains("AOE-MARKER") || l.contains("AOE-ROOT-FAIL")
                    || l.contains("Kernel panic"), BOOT_TIMEOUT);
            assertThat(marker).as(guest.transcript()).isEqualTo("AOE-MARKER sha256=" + checksum);
            assertThat(guest.await(l -> l.contains("AOE-MARKER-DONE"), BOOT_TIMEOUT)).as(guest.transcript()).isNotNull();
            assertThat(guest.awaitExit(Duration.ofSeconds(60))).as("the guest powers off").isTrue();
            assertThat(guest.console()).as("Linux picks the frame size the MTU allows")
                    .anyMatch(l -> l.contains("aoe: e0.1: setting " + (mtu == 1500 ? 1024 : 8704) + " byte data frames"));
            assertThat(guest.console()).anyMatch(l -> l.contains("e0.1 v0100 has 131072 sectors"));
            assertThat(target.stop()).isZero();
        }
        assertThat(BootImages.readExt4File(root, "/written.txt")).isEqualTo("written by the guest\n");
    }
}
