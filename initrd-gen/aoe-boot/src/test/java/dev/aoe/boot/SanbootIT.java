package dev.aoe.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aoe.boot.BootImages.MarkerRoot;
import dev.aoe.boot.Milestone.Kind;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * iPXE's AoE SAN boot of a whole-disk image that {@link DiskImage} made (SYSLINUX, the kernel and the
 * initramfs in partition 1, the root in partition 2): over UDP with Debian's ipxe.lkrn and a script,
 * no DHCP and no root; over a tap with QEMU's own iPXE ROM and the root path from dnsmasq.
 */
class SanbootIT {

    @TempDir
    Path dir;

    MarkerRoot disk(long seed) throws Exception {
        BootImages.kernel();
        MarkerRoot root = BootImages.markerRoot(dir, seed);
        Path disk = dir.resolve("disk.img");
        DiskImage.make(disk, root.image(), null, null, 1500, "");
        return new MarkerRoot(disk, root.checksum());
    }

    /** Where partition 2 starts, in bytes, from the MBR's second entry. */
    static long secondPartitionOffset(Path disk) throws Exception {
        try (FileChannel ch = FileChannel.open(disk)) {
            ByteBuffer mbr = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(mbr, 0);
            return (mbr.getInt(446 + 16 + 8) & 0xFFFFFFFFL) * 512;
        }
    }

    @Test
    void sanbootOverUdpWithIpxeLkrn() throws Exception {
        BootImages.requireQemu(BootNetwork.UDP);
        MarkerRoot disk = disk(7);
        try (BootedVm vm = AoeBoot.builder().mode(BootMode.SANBOOT).network(BootNetwork.UDP).image(disk.image())
                .workDir(dir.resolve("work")).start()) {
            BootImages.bootsToTheMarker(vm, disk);
            assertThat(BootImages.kinds(vm)).containsSubsequence(Kind.TARGET_UP, Kind.IPXE_ATTACHED, Kind.KERNEL_STARTED,
                    Kind.AOE_FOUND, Kind.ROOT_MOUNTED);
            assertThat(vm.milestones()).filteredOn(m -> m.kind() == Kind.ROOT_MOUNTED).extracting(Milestone::detail)
                    .containsExactly("/dev/etherd/e0.1p2");
            assertThat(vm.console()).anyMatch(l -> l.startsWith("SYSLINUX")).anyMatch(l -> l.contains("Loading vmlinuz"));
            assertThat(vm.qemuCommand()).contains(BootedVm.IPXE_LKRN.toString());
        }
        assertThat(BootImages.readExt4File(disk.image(), secondPartitionOffset(disk.image()), "/written.txt"))
                .isEqualTo(BootImages.WRITTEN);
    }

    @Test
    void sanbootOverATapWithQemusRomAndTheDhcpRootPath() throws Exception {
        BootImages.requireQemu(BootNetwork.TAP);
        MarkerRoot disk = disk(8);
        try (BootedVm vm = AoeBoot.builder().mode(BootMode.SANBOOT).network(BootNetwork.TAP).image(disk.image())
                .tapPrefix(BootImages.TAP_PREFIX).workDir(dir.resolve("work")).start()) {
            BootImages.bootsToTheMarker(vm, disk);
            assertThat(BootImages.kinds(vm)).containsSubsequence(Kind.TARGET_UP, Kind.DHCP_LEASE, Kind.IPXE_ATTACHED,
                    Kind.KERNEL_STARTED, Kind.AOE_FOUND, Kind.ROOT_MOUNTED);
            assertThat(vm.console()).anyMatch(l -> l.contains("Root path: aoe:e0.1"));
            assertThat(Files.readString(vm.workDir().resolve("dnsmasq.conf"))).contains("root-path,aoe:e0.1");
        }
        assertThat(BootImages.readExt4File(disk.image(), secondPartitionOffset(disk.image()), "/written.txt"))
                .isEqualTo(BootImages.WRITTEN);
    }
}
