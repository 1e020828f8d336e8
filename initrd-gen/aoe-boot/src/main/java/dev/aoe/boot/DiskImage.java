package dev.aoe.boot;

import dev.aoe.initrd.image.Compression;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A whole-disk image for iPXE's sanboot, made without root, loop devices or mounting: an MBR with
 * SYSLINUX's boot code, partition 1 a FAT file system holding SYSLINUX, the kernel, the initramfs and
 * syslinux.cfg, partition 2 the root file system (an ext image copied in, or a directory packed with
 * {@code mke2fs -d}). Exported as e0.1, iPXE reads the MBR and SYSLINUX loads the kernel through iPXE's
 * INT 13h; the kernel's own aoe driver then finds {@code /dev/etherd/e0.1p2}.
 *
 * <p>Needs dosfstools (mkfs.vfat), syslinux and syslinux-common, mtools (mcopy) and e2fsprogs (mke2fs).
 */
public final class DiskImage {

    /** Where the root is once the disk is exported as e0.1. */
    public static final String ROOT_DEVICE = "/dev/etherd/e0.1p2";
    static final Path MBR_CODE = Path.of("/usr/lib/syslinux/mbr/mbr.bin");
    private static final long MIB = 1 << 20;
    private static final long FIRST_SECTOR = 2048;

    private DiskImage() {
    }

    /** One MBR partition: its type, whether it is the active one, first sector and length in sectors. */
    record Partition(int type, boolean active, long start, long sectors) {
    }

    /**
     * Writes the disk to {@code out}.
     *
     * @param root   a directory, or an ext2/3/4 image
     * @param kernel a bzImage, or null for {@link DebianKernel}'s
     * @param initrd the initramfs SYSLINUX loads with it, or null for initrd-gen's for the kernel's modules
     * @param mtu    the MTU the default initramfs sets on the AoE links
     * @param append more kernel arguments, after {@code console=ttyS0 panic=-1 root=/dev/etherd/e0.1p2 rw rootwait}
     */
    public static void make(Path out, Path root, Path kernel, Path initrd, int mtu, String append) {
        for (Path p : Arrays.asList(kernel, initrd)) {
            if (p != null && (!Files.isReadable(p) || Files.isDirectory(p))) {
                throw new BootException(BootException.Reason.BAD_INPUT, p + ": no such file");
            }
        }
        if (!Files.exists(root)) {
            throw new BootException(BootException.Reason.BAD_INPUT, "root " + root + ": no such file or directory");
        }
        if (!Files.isDirectory(root) && !isExtImage(root)) {
            throw new BootException(BootException.Reason.BAD_INPUT, root + " is neither a directory nor an ext2/3/4"
                    + " file system image");
        }
        Path mkfs = HostCommand.require("mkfs.vfat", "dosfstools");
        Path syslinux = HostCommand.require("syslinux", "syslinux");
        Path mcopy = HostCommand.require("mcopy", "mtools");
        if (!Files.isReadable(MBR_CODE)) {
            throw new BootException(BootException.Reason.ENVIRONMENT, MBR_CODE + " is missing (apt-get install syslinux-common)");
        }
        Path work;
        try {
            work = Files.createTempDirectory("aoe-disk-");
        } catch (IOException e) {
            throw new BootException(BootException.Reason.ENVIRONMENT, "cannot make a temporary directory: " + e.getMessage(), e);
        }
        try {
            Path bootKernel = kernel != null ? kernel : DebianKernel.get().vmlinuz();
            Path bootInitrd = initrd;
            if (bootInitrd == null) {   // gzip: SYSLINUX reads it through iPXE in small requests, one at a time
                bootInitrd = work.resolve("initrd.img");
                Initramfs.build(kernel != null ? Initramfs.modulesOf(kernel) : DebianKernel.get().modulesDir(), List.of(),
                        List.of(), mtu, null, false, Compression.GZIP, bootInitrd);
            }
            Path boot = work.resolve("boot.img");
            long bootBytes = Math.max(32 * MIB, roundUp(Files.size(bootKernel) + Files.size(bootInitrd) + 8 * MIB, MIB));
            HostCommand.run(mkfs.toString(), "-C", "-n", "AOEBOOT", boot.toString(), Long.toString(bootBytes / 1024));
            HostCommand.run(syslinux.toString(), "--install", boot.toString());
            Path cfg = Files.writeString(work.resolve("syslinux.cfg"), syslinuxConfig(append));
            HostCommand.run(mcopy.toString(), "-i", boot.toString(), bootKernel.toString(), "::vmlinuz");
            HostCommand.run(mcopy.toString(), "-i", boot.toString(), bootInitrd.toString(), "::initrd.img");
            HostCommand.run(mcopy.toString(), "-i", boot.toString(), cfg.toString(), "::syslinux.cfg");

            Path rootImage = Files.isDirectory(root) ? packDirectory(root, work.resolve("root.img")) : root;
            Partition p1 = new Partition(0x0E, true, FIRST_SECTOR, bootBytes / 512);
            long rootStart = roundUp(p1.start() + p1.sectors(), FIRST_SECTOR);
            Partition p2 = new Partition(0x83, false, rootStart, roundUp(Files.size(rootImage), 512) / 512);
            try (FileChannel disk = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                disk.write(bootSector(Files.readAllBytes(MBR_CODE), List.of(p1, p2)), 0);
                copyInto(boot, disk, p1.start() * 512);
                copyInto(rootImage, disk, p2.start() * 512);
                if (disk.size() < (p2.start() + p2.sectors()) * 512) {
                    disk.write(ByteBuffer.allocate(1), (p2.start() + p2.sectors()) * 512 - 1);
                }
            }
        } catch (IOException e) {
            throw new BootException(BootException.Reason.ENVIRONMENT, "cannot write " + out + ": " + e.getMessage(), e);
        } finally {
            deleteTree(work);
        }
    }

    static String syslinuxConfig(String append) {
        return String.join("\n", "PROMPT 0", "TIMEOUT 0", "DEFAULT linux", "LABEL linux", "  KERNEL vmlinuz",
                "  INITRD initrd.img", ("  APPEND console=ttyS0 panic=-1 root=" + ROOT_DEVICE + " rw rootwait "
                        + (append == null ? "" : append)).stripTrailing(), "");
    }

    /**
     * The first sector: SYSLINUX's 440 bytes of boot code, a disk signature, the partition table and 0x55AA.
     * CHS fields follow the usual 255 heads × 63 sectors geometry (0xFE 0xFF 0xFF past cylinder 1023).
     */
    static ByteBuffer bootSector(byte[] code, List<Partition> partitions) {
        ByteBuffer mbr = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        mbr.put(code, 0, Math.min(code.length, 440));
        mbr.putInt(440, 0xA0E0B007);
        for (int i = 0; i < partitions.size(); i++) {
            Partition p = partitions.get(i);
            int at = 446 + 16 * i;
            mbr.put(at, (byte) (p.active() ? 0x80 : 0));
            mbr.put(at + 1, chs(p.start()), 0, 3);
            mbr.put(at + 4, (byte) p.type());
            mbr.put(at + 5, chs(p.start() + p.sectors() - 1), 0, 3);
            mbr.putInt(at + 8, (int) p.start());
            mbr.putInt(at + 12, (int) p.sectors());
        }
        mbr.put(510, (byte) 0x55).put(511, (byte) 0xAA);
        return mbr.position(0);
    }

    private static byte[] chs(long lba) {
        long cylinder = lba / (255 * 63);
        if (cylinder > 1023) {
            return new byte[] {(byte) 0xFE, (byte) 0xFF, (byte) 0xFF};
        }
        long head = lba / 63 % 255;
        long sector = lba % 63 + 1;
        return new byte[] {(byte) head, (byte) (sector | (cylinder >> 2 & 0xC0)), (byte) cylinder};
    }

    private static boolean isExtImage(Path file) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(file)) {
            return RootLayout.extKind(ch, 0) != null;
        } catch (IOException e) {
            return false;
        }
    }

    /** An ext4 image of the directory, a third larger than its files and at least 64 MiB. */
    private static Path packDirectory(Path dir, Path image) throws IOException {
        Path mke2fs = HostCommand.require("mke2fs", "e2fsprogs");
        long bytes;
        try (Stream<Path> files = Files.walk(dir)) {
            bytes = files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
        long size = Math.max(64 * MIB, roundUp(bytes + bytes / 3 + 16 * MIB, MIB));
        HostCommand.run(mke2fs.toString(), "-q", "-F", "-t", "ext4", "-L", "aoeroot", "-d", dir.toString(),
                image.toString(), size / 1024 + "k");
        return image;
    }

    private static void copyInto(Path from, FileChannel to, long position) throws IOException {
        try (FileChannel in = FileChannel.open(from)) {
            long done = 0;
            long size = in.size();
            while (done < size) {
                done += in.transferTo(done, size - done, to.position(position + done));
            }
        }
    }

    private static long roundUp(long value, long unit) {
        return (value + unit - 1) / unit * unit;
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // best effort: what is left is in a temporary directory
        }
    }
}
