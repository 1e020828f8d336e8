package dev.aoe.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.hash.Hashing;
import dev.aoe.initrd.InitrdBuilder;
import dev.aoe.initrd.InitrdSpec;
import dev.aoe.initrd.image.Compression;
import dev.aoe.testing.BootImages;
import dev.aoe.testing.DebianKernel;
import dev.aoe.testing.NetworkNamespace;
import dev.aoe.testing.Prerequisites;
import dev.aoe.testing.QemuGuest;
import dev.aoe.testing.TargetProcess;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A RAID1 root across two exports, e0.1 and e0.2, from two ./aoe target processes: it boots, and boots
 * again degraded with one target stopped. This host's kernel has no md driver, so the mirror is made
 * in a setup guest (mdadm --create over two virtio disks, then the ext4 root copied onto it).
 */
class RaidBootIT {

    static final String UUID = "a0e0a0e0:00000000:00000000:00000001";
    static final Duration BOOT = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    @Test
    void raid1RootBootsAndBootsAgainDegraded() throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireLibpcap();
        Prerequisites.requireCommand("mdadm", "mdadm");
        DebianKernel kernel = DebianKernel.get();
        byte[] data = new byte[1 << 20];
        new Random(11).nextBytes(data);
        Path rootfs = BootImages.ext4Root(dir, 64, Map.of("data.bin", data,
                "sbin/init", BootImages.resource("root-init.sh").getBytes(StandardCharsets.UTF_8)));
        Path a = SetupGuest.sparse(dir.resolve("member-a.img"), 80L << 20);
        Path b = SetupGuest.sparse(dir.resolve("member-b.img"), 80L << 20);
        Path mdadmConf = Files.writeString(dir.resolve("mdadm.conf"),
                "DEVICE /dev/etherd/e*\nARRAY /dev/md0 metadata=1.2 UUID=" + UUID + "\n");
        String checksum = Hashing.sha256().hashBytes(data).toString();

        try (NetworkNamespace ns = NetworkNamespace.withTap(1500)) {
            SetupGuest.run(ns, kernel, dir, new InitrdSpec(kernel.modulesDir(), List.of("virtio_pci", "virtio_blk"),
                    List.of(), List.of(), 5, null, mdadmConf, false, BootImages.staticBusybox(), null, Compression.GZIP, 0),
                    "mdadm --create /dev/md0 --run --assume-clean --level=1 --raid-devices=2 --metadata=1.2 --uuid=" + UUID
                            + " /dev/vda /dev/vdb && dd if=/dev/vdc of=/dev/md0 bs=1M 2>/dev/null && sync"
                            + " && mdadm --stop /dev/md0", List.of(a, b, rootfs));

            Path initrd = dir.resolve("initrd.img");
            try (OutputStream out = Files.newOutputStream(initrd)) {
                InitrdBuilder.build(new InitrdSpec(kernel.modulesDir(), List.of(), List.of(), List.of("e0.1", "e0.2"), 12,
                        null, mdadmConf, false, BootImages.staticBusybox(), null, Compression.GZIP, 0), out);
            }
            try (TargetProcess t1 = TargetProcess.start(ns, 1, "0", "1", ns.inside(), a.toString());
                 TargetProcess t2 = TargetProcess.start(ns, 1, "0", "2", ns.inside(), b.toString());
                 QemuGuest guest = QemuGuest.boot(ns, kernel.vmlinux(), initrd, "root=/dev/md0 rw")) {
                assertThat(marker(guest)).as(guest.transcript()).isEqualTo("AOE-MARKER sha256=" + checksum);
                assertThat(guest.await(l -> l.contains("AOE-MARKER-DONE"), BOOT)).isNotNull();
                assertThat(guest.awaitExit(Duration.ofSeconds(60))).isTrue();
                assertThat(guest.console()).anyMatch(l -> l.contains("md/raid1:md0: active with 2 out of 2 mirrors"));
            }
            try (TargetProcess t1 = TargetProcess.start(ns, 1, "0", "1", ns.inside(), a.toString());
                 QemuGuest guest = QemuGuest.boot(ns, kernel.vmlinux(), initrd, "root=/dev/md0 rw")) {
                assertThat(marker(guest)).as(guest.transcript()).isEqualTo("AOE-MARKER sha256=" + checksum);
                assertThat(guest.console()).anyMatch(l -> l.contains("aoe-initrd: still missing after 12s: e0.2"));
                assertThat(guest.console()).anyMatch(l -> l.contains("md/raid1:md0: active with 1 out of 2 mirrors"));
                assertThat(guest.await(l -> l.contains("AOE-MARKER-DONE"), BOOT)).isNotNull();
            }
        }
    }

    private static String marker(QemuGuest guest) throws InterruptedException {
        return guest.await(l -> l.contains("AOE-MARKER") || l.contains("dropping to a shell") || l.contains("Kernel panic"),
                BOOT);
    }
}
