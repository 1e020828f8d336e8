package dev.aoe.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layouts written by hand at the offsets the formats define (ext4 superblock, MBR, md 1.2, LVM2 label). */
class RootLayoutTest {

    @TempDir
    Path dir;

    Path image(String name, long size) throws Exception {
        Path p = dir.resolve(name);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(1), size - 1);
        }
        return p;
    }

    static void put(Path file, long offset, ByteBuffer bytes) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(bytes.position(0), offset);
        }
    }

    static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** An ext4 superblock at {@code fsOffset}: magic 0xEF53 at byte 56, the extents feature (0x40) in incompat. */
    static void ext4(Path file, long fsOffset) throws Exception {
        put(file, fsOffset + 1024, le(128).putShort(56, (short) 0xEF53).putInt(0x60, 0x40));
    }

    static ImageExport e01(Path file) {
        return new ImageExport(0, 1, file);
    }

    @Test
    void anExtFileSystemIsTheRootItself() throws Exception {
        Path p = image("root.img", 1 << 20);
        ext4(p, 0);
        RootLayout layout = RootLayout.detect(List.of(e01(p)));
        assertThat(layout.root()).isEqualTo("/dev/etherd/e0.1");
        assertThat(layout.found()).isEqualTo("an ext4 file system on e0.1");
        assertThat(layout.mdadmConf()).isNull();
    }

    @Test
    void anMbrDiskGivesThePartitionHoldingExt() throws Exception {
        Path p = image("disk.img", 4 << 20);
        ByteBuffer mbr = DiskImage.bootSector(new byte[440], List.of(new DiskImage.Partition(0x0E, true, 2048, 2048),
                new DiskImage.Partition(0x83, false, 4096, 4096)));
        put(p, 0, mbr);
        ext4(p, 4096L * 512);
        assertThat(RootLayout.detect(List.of(e01(p))).root()).isEqualTo("/dev/etherd/e0.1p2");
    }

    @Test
    void raidMembersAssembleByTheirUuidAsMdadmWritesIt() throws Exception {
        byte[] uuid = HexFormat.of().parseHex("a0e0a0e0000000000000000000000001");
        Path a = image("a.img", 1 << 20);
        Path b = image("b.img", 1 << 20);
        for (Path p : List.of(a, b)) {
            put(p, 4096, le(32).putInt(0, 0xA92B4EFC).putInt(4, 1).put(16, uuid));
        }
        RootLayout layout = RootLayout.detect(List.of(e01(a), new ImageExport(0, 2, b)));
        assertThat(layout.root()).isEqualTo("/dev/md0");
        assertThat(layout.mdadmConf()).isEqualTo("DEVICE /dev/etherd/e*\nARRAY /dev/md0 UUID=a0e0a0e0:00000000:00000000:00000001\n");
        assertThat(layout.found()).contains("e0.1 e0.2");
    }

    @Test
    void anLvmVolumeAsksForRoot() throws Exception {
        Path p = image("pv.img", 1 << 20);
        ByteBuffer label = le(32).put(0, "LABELONE".getBytes(StandardCharsets.US_ASCII))
                .put(24, "LVM2 001".getBytes(StandardCharsets.US_ASCII));
        put(p, 512, label);
        RootLayout layout = RootLayout.detect(List.of(e01(p)));
        assertThat(layout.lvm()).isTrue();
        assertThat(layout.root()).isNull();
    }

    @Test
    void zerosAreNothing() throws Exception {
        RootLayout layout = RootLayout.detect(List.of(e01(image("zeros.img", 1 << 20))));
        assertThat(layout.root()).isNull();
        assertThat(layout.found()).startsWith("e0.1 (").contains("holds no ext file system");
    }
}
