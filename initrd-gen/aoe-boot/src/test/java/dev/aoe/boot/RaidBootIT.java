package dev.aoe.boot;

import static dev.aoe.boot.BootImages.BOOT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aoe.boot.BootImages.MarkerRoot;
import dev.aoe.boot.Milestone.Kind;
import dev.aoe.initrd.InitrdBuilder;
import dev.aoe.initrd.InitrdSpec;
import dev.aoe.initrd.image.Compression;
import dev.aoe.testing.Prerequisites;
import dev.aoe.testing.Processes;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A RAID1 root across two exports, e0.1 and e0.2: the boot's default initramfs finds the members,
 * assembles the array by its UUID and boots from /dev/md0; then it boots again degraded with only e0.1
 * exported. This host's kernel has no md driver, so the mirror is made in a setup guest (mdadm --create
 * over two virtio disks, then the ext4 root copied onto it).
 */
class RaidBootIT {

    static final String UUID = "a0e0a0e0:00000000:00000000:00000001";

    @TempDir
    Path dir;

    @Test
    void raid1RootBootsAndBootsAgainDegraded() throws Exception {
        BootImages.requireQemu(BootNetwork.TAP);
        Prerequisites.requireCommand("mdadm", "mdadm");
        DebianKernel kernel = BootImages.kernel();
        MarkerRoot rootfs = BootImages.markerRoot(dir, 11);
        Path a = SetupGuest.sparse(dir.resolve("member-a.img"), 80L << 20);
        Path b = SetupGuest.sparse(dir.resolve("member-b.img"), 80L << 20);
        Path mdadmConf = Files.writeString(dir.resolve("mdadm.conf"),
                "DEVICE /dev/etherd/e*\nARRAY /dev/md0 metadata=1.2 UUID=" + UUID + "\n");
        SetupGuest.run(kernel, dir, new InitrdSpec(kernel.modulesDir(), List.of("virtio_pci", "virtio_blk"),
                List.of(), List.of(), 5, null, mdadmConf, false, BootImages.staticBusybox(), null, Compression.GZIP, 0),
                "mdadm --create /dev/md0 --run --assume-clean --level=1 --raid-devices=2 --metadata=1.2 --uuid=" + UUID
                        + " /dev/vda /dev/vdb && dd if=/dev/vdc of=/dev/md0 bs=1M 2>/dev/null && sync"
                        + " && mdadm --stop /dev/md0", List.of(a, b, rootfs.image()));

        RootLayout layout = RootLayout.detect(List.of(new ImageExport(0, 1, a), new ImageExport(0, 2, b)));
        assertThat(layout.root()).isEqualTo("/dev/md0");
        assertThat(layout.mdadmConf()).contains("ARRAY /dev/md0 UUID=" + UUID);
        assertThat(Processes.run(List.of("mdadm", "--examine", "--brief", a.toString())).output())
                .as("mdadm writes the UUID as we do").contains("UUID=" + UUID);

        try (BootedVm vm = AoeBoot.builder().image(a).image(b).network(BootNetwork.TAP).tapPrefix(BootImages.TAP_PREFIX)
                .workDir(dir.resolve("work")).start()) {
            BootImages.bootsToTheMarker(vm, rootfs);
            assertThat(vm.milestones()).filteredOn(m -> m.kind() == Kind.AOE_FOUND).hasSize(2);
            assertThat(vm.milestones()).filteredOn(m -> m.kind() == Kind.ROOT_MOUNTED).extracting(Milestone::detail)
                    .containsExactly("/dev/md0");
            assertThat(vm.console()).anyMatch(l -> l.contains("md/raid1:md0: active with 2 out of 2 mirrors"));
        }

        Path degraded = dir.resolve("degraded.img");
        try (OutputStream out = Files.newOutputStream(degraded)) {   // a shorter wait than the default 30 s
            InitrdBuilder.build(new InitrdSpec(kernel.modulesDir(), List.of(), List.of(), List.of("e0.1", "e0.2"), 12,
                    null, mdadmConf, false, BootImages.staticBusybox(), null, Compression.GZIP, 0), out);
        }
        try (BootedVm vm = AoeBoot.builder().image(a).initrd(degraded).network(BootNetwork.UDP)
                .workDir(dir.resolve("work-degraded")).start()) {
            assertThat(vm.awaitConsole("AOE-MARKER sha256=", BOOT)).as(vm.transcript()).isEqualTo(rootfs.marker());
            assertThat(vm.console()).anyMatch(l -> l.contains("aoe-initrd: still missing after 12s: e0.2"))
                    .anyMatch(l -> l.contains("md/raid1:md0: active with 1 out of 2 mirrors"));
            assertThat(vm.awaitConsole("AOE-MARKER-DONE", BOOT)).isNotNull();
        }
        for (Path member : List.of(a, b)) {
            assertThat(BootImages.readExt4File(member, dataOffset(member), "/written.txt")).as(member.toString())
                    .isEqualTo(BootImages.WRITTEN);
        }
    }

    /** Where a 1.2 member's data starts: the superblock (at 4 KiB) holds it in sectors, at byte 128. */
    static long dataOffset(Path member) throws Exception {
        try (FileChannel ch = FileChannel.open(member)) {
            ByteBuffer sb = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(sb, 4096);
            return sb.getLong(128) * 512;
        }
    }
}
