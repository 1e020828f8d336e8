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
 * An LVM root on an AoE export (--lvm): the volume group is made in a setup guest on a virtio disk
 * (this host has no device mapper to spare), then Linux boots with root=/dev/mapper/aoevg-root over AoE.
 */
class LvmBootIT {

    static final Duration BOOT = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    @Test
    void lvmRootOnAnAoeExportBoots() throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireLibpcap();
        Prerequisites.requireCommand("lvm", "lvm2");
        DebianKernel kernel = DebianKernel.get();
        byte[] data = new byte[1 << 20];
        new Random(13).nextBytes(data);
        Path rootfs = BootImages.ext4Root(dir, 64, Map.of("data.bin", data,
                "sbin/init", BootImages.resource("root-init.sh").getBytes(StandardCharsets.UTF_8)));
        Path pv = SetupGuest.sparse(dir.resolve("pv.img"), 96L << 20);
        try (NetworkNamespace ns = NetworkNamespace.withTap(1500)) {
            SetupGuest.run(ns, kernel, dir, new InitrdSpec(kernel.modulesDir(), List.of("virtio_pci", "virtio_blk"),
                    List.of(), List.of(), 5, null, null, true, BootImages.staticBusybox(), null, Compression.GZIP, 0),
                    "lvm pvcreate -ff -y /dev/vda && lvm vgcreate aoevg /dev/vda && lvm lvcreate -y -Zn -L 64M -n root aoevg"
                            + " && lvm vgchange -ay aoevg && dd if=/dev/vdb of=/dev/mapper/aoevg-root bs=1M 2>/dev/null"
                            + " && sync && lvm vgchange -an aoevg", List.of(pv, rootfs));

            Path initrd = dir.resolve("initrd.img");
            try (OutputStream out = Files.newOutputStream(initrd)) {
                InitrdBuilder.build(new InitrdSpec(kernel.modulesDir(), List.of(), List.of(), List.of("e0.1"), 30, null,
                        null, true, BootImages.staticBusybox(), null, Compression.GZIP, 0), out);
            }
            try (TargetProcess target = TargetProcess.start(ns, 1, "0", "1", ns.inside(), pv.toString());
                 QemuGuest guest = QemuGuest.boot(ns, kernel.vmlinux(), initrd, "root=/dev/mapper/aoevg-root rw")) {
                String marker = guest.await(l -> l.contains("AOE-MARKER") || l.contains("dropping to a shell")
                        || l.contains("Kernel panic"), BOOT);
                if (marker != null && marker.contains("dropping to a shell")) {
                    guest.send("cat /run/aoe-initrd.log; lvm pvs; ls -l /dev/mapper /dev/etherd");
                    guest.await(l -> l.contains("control"), Duration.ofSeconds(20));
                }
                assertThat(marker).as(guest.transcript()).isEqualTo("AOE-MARKER sha256=" + Hashing.sha256().hashBytes(data));
                assertThat(guest.await(l -> l.contains("AOE-MARKER-DONE"), BOOT)).isNotNull();
                assertThat(guest.console()).anyMatch(l -> l.contains("switching to /dev/mapper/aoevg-root"));
            }
        }
    }
}
