package dev.aoe.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aoe.boot.BootImages.MarkerRoot;
import dev.aoe.initrd.InitrdSpec;
import dev.aoe.initrd.image.Compression;
import dev.aoe.testing.Prerequisites;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An LVM root on an AoE export: the volume group is made in a setup guest on a virtio disk (this host
 * has no device mapper to spare); the boot's default initramfs sees the physical volume, ships lvm and
 * activates the group, and Linux boots with root=/dev/mapper/aoevg-root over AoE.
 */
class LvmBootIT {

    @TempDir
    Path dir;

    @Test
    void lvmRootOnAnAoeExportBoots() throws Exception {
        BootImages.requireQemu(BootNetwork.UDP);
        Prerequisites.requireCommand("lvm", "lvm2");
        DebianKernel kernel = BootImages.kernel();
        MarkerRoot rootfs = BootImages.markerRoot(dir, 13);
        Path pv = SetupGuest.sparse(dir.resolve("pv.img"), 96L << 20);
        SetupGuest.run(kernel, dir, new InitrdSpec(kernel.modulesDir(), List.of("virtio_pci", "virtio_blk"),
                List.of(), List.of(), 5, null, null, true, BootImages.staticBusybox(), null, Compression.GZIP, 0),
                "lvm pvcreate -ff -y /dev/vda && lvm vgcreate aoevg /dev/vda && lvm lvcreate -y -Zn -L 64M -n root aoevg"
                        + " && lvm vgchange -ay aoevg && dd if=/dev/vdb of=/dev/mapper/aoevg-root bs=1M 2>/dev/null"
                        + " && sync && lvm vgchange -an aoevg", List.of(pv, rootfs.image()));
        assertThat(RootLayout.detect(List.of(new ImageExport(0, 1, pv))).lvm()).isTrue();

        try (BootedVm vm = AoeBoot.builder().image(pv).network(BootNetwork.UDP).append("root=/dev/mapper/aoevg-root rw")
                .workDir(dir.resolve("work")).start()) {
            BootImages.bootsToTheMarker(vm, rootfs);
            assertThat(vm.console()).anyMatch(l -> l.contains("switching to /dev/mapper/aoevg-root"));
        }
    }
}
