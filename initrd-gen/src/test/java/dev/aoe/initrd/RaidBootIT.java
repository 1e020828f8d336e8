package dev.aoe.initrd;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.hash.Hashing;
import dev.aoe.initrd.cpio.CpioEntry;
import dev.aoe.initrd.cpio.NewcWriter;
import dev.aoe.initrd.image.Compression;
import dev.aoe.testing.BootImages;
import dev.aoe.testing.DebianKernel;
import dev.aoe.testing.NetworkNamespace;
import dev.aoe.testing.Prerequisites;
import dev.aoe.testing.QemuGuest;
import dev.aoe.testing.TargetProcess;
import java.io.OutputStream;
import java.io.RandomAccessFile;
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
        Path a = sparse("member-a.img");
        Path b = sparse("member-b.img");
        Path mdadmConf = Files.writeString(dir.resolve("mdadm.conf"),
                "DEVICE /dev/etherd/e*\nARRAY /dev/md0 metadata=1.2 UUID=" + UUID + "\n");
        String checksum = Hashing.sha256().hashBytes(data).toString();

        try (NetworkNamespace ns = NetworkNamespace.withTap(1500)) {
            Path setup = setupInitrd(kernel, mdadmConf);
            try (QemuGuest guest = QemuGuest.boot(ns, kernel.vmlinux(), setup, "rdinit=/setup.sh", List.of(a, b, rootfs))) {
                assertThat(guest.await(l -> l.startsWith("SETUP-"), BOOT)).as(guest.transcript()).isEqualTo("SETUP-DONE");
                assertThat(guest.awaitExit(Duration.ofSeconds(60))).isTrue();
            }

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

    private Path sparse(String name) throws Exception {
        Path p = dir.resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(80L << 20);
        }
        return p;
    }

    /** The builder's image (modules, busybox, mdadm) plus a second cpio segment with the setup script. */
    private Path setupInitrd(DebianKernel kernel, Path mdadmConf) throws Exception {
        Path image = dir.resolve("setup.img");
        try (OutputStream out = Files.newOutputStream(image)) {
            InitrdBuilder.build(new InitrdSpec(kernel.modulesDir(), List.of("virtio_pci", "virtio_blk"), List.of(),
                    List.of(), 5, null, mdadmConf, false, BootImages.staticBusybox(), null, Compression.GZIP, 0), out);
            NewcWriter extra = new NewcWriter(out, 0);
            extra.write(CpioEntry.file("setup.sh", 0755, String.join("\n",
                    "#!/bin/sh",
                    "export PATH=/sbin:/bin",
                    "mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev",
                    ". /etc/aoe-initrd.conf",
                    "while read -r ko; do insmod /lib/modules/$KERNEL_VERSION/$ko 2>/dev/null; done"
                            + " < /lib/modules/$KERNEL_VERSION/aoe-initrd.order",
                    "i=0; while [ ! -b /dev/vdc ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done",
                    "if mdadm --create /dev/md0 --run --assume-clean --level=1 --raid-devices=2 --metadata=1.2"
                            + " --uuid=" + UUID + " /dev/vda /dev/vdb && dd if=/dev/vdc of=/dev/md0 bs=1M 2>/dev/null"
                            + " && sync && mdadm --stop /dev/md0; then echo SETUP-DONE; else echo SETUP-FAILED; fi",
                    "poweroff -f", "").getBytes(StandardCharsets.UTF_8)));
            extra.finish();
        }
        return image;
    }
}
