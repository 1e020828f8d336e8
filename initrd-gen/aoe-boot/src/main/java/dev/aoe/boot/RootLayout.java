package dev.aoe.boot;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the exported images hold, as far as the default initramfs and {@code root=} need to know: an ext
 * file system (root on {@code /dev/etherd/e0.1}), an MBR disk with one ({@code e0.1p2}), RAID members
 * (mdadm 1.x metadata: root on {@code /dev/md0}, arrays assembled by UUID) or an LVM physical volume
 * (volume groups activated; root= must come from the caller, since a volume's name is not guessed).
 *
 * @param root      the root= argument, or null when the images say nothing usable
 * @param mdadmConf an mdadm.conf to assemble the arrays found, or null
 * @param lvm       an LVM physical volume was found
 * @param found     what was found, for messages
 */
public record RootLayout(String root, String mdadmConf, boolean lvm, String found) {

    private static final int EXT_MAGIC = 0xEF53;
    private static final int MD_MAGIC = 0xA92B4EFC;
    private static final int LINUX_PARTITION = 0x83;

    /** Reads the images' first sectors (and the start of each MBR partition). */
    public static RootLayout detect(List<ImageExport> images) {
        Map<String, List<String>> arrays = new LinkedHashMap<>();   // md set UUID -> member names
        String root = null;
        String found = null;
        boolean lvm = false;
        for (ImageExport image : images) {
            try (FileChannel ch = FileChannel.open(image.file())) {
                String uuid = mdUuid(ch);
                if (uuid != null) {
                    arrays.computeIfAbsent(uuid, u -> new ArrayList<>()).add(image.name());
                    continue;
                }
                if (root != null || lvm) {
                    continue;   // the first image that holds a root decides
                }
                String fs = extKind(ch, 0);
                int partition = fs == null ? extPartition(ch) : 0;
                if (fs != null) {
                    root = "/dev/etherd/" + image.name();
                    found = "an " + fs + " file system on " + image.name();
                } else if (partition > 0) {
                    root = "/dev/etherd/" + image.name() + "p" + partition;
                    found = "an MBR disk on " + image.name() + " with an ext file system in partition " + partition;
                } else if (lvmLabel(ch)) {
                    lvm = true;
                    found = "an LVM physical volume on " + image.name();
                } else if (found == null) {
                    found = image.name() + " (" + image.file() + ") holds no ext file system, MBR disk with one, RAID"
                            + " member or LVM volume";
                }
            } catch (IOException e) {
                throw new BootException(BootException.Reason.BAD_INPUT, image.file() + ": cannot read: " + e.getMessage(), e);
            }
        }
        if (arrays.isEmpty()) {
            return new RootLayout(root, null, lvm, found);
        }
        StringBuilder conf = new StringBuilder("DEVICE /dev/etherd/e*\n");
        int md = 0;
        for (Map.Entry<String, List<String>> a : arrays.entrySet()) {
            conf.append("ARRAY /dev/md").append(md++).append(" UUID=").append(a.getKey()).append('\n');
        }
        Map.Entry<String, List<String>> first = arrays.entrySet().iterator().next();
        return new RootLayout("/dev/md0", conf.toString(), false,
                "RAID members " + String.join(" ", first.getValue()) + " (array " + first.getKey() + ")");
    }

    /** "ext4", "ext3" or "ext2" for a superblock at {@code offset}, else null. */
    static String extKind(FileChannel ch, long offset) throws IOException {
        ByteBuffer sb = read(ch, offset + 1024, 128);
        if (sb == null || (sb.getShort(56) & 0xFFFF) != EXT_MAGIC) {
            return null;
        }
        int compat = sb.getInt(0x5C);
        int incompat = sb.getInt(0x60);
        return (incompat & 0x40) != 0 ? "ext4" : (compat & 0x4) != 0 ? "ext3" : "ext2";
    }

    /** The number (1-4) of the first MBR partition holding an ext file system, or 0. */
    static int extPartition(FileChannel ch) throws IOException {
        ByteBuffer mbr = read(ch, 0, 512);
        if (mbr == null || (mbr.getShort(510) & 0xFFFF) != 0xAA55) {
            return 0;
        }
        for (int i = 0; i < 4; i++) {
            int entry = 446 + 16 * i;
            int type = mbr.get(entry + 4) & 0xFF;
            long start = mbr.getInt(entry + 8) & 0xFFFFFFFFL;
            if (type == LINUX_PARTITION && start > 0 && extKind(ch, start * 512) != null) {
                return i + 1;
            }
        }
        return 0;
    }

    /**
     * The array UUID of an md superblock of version 1.1 (at 0) or 1.2 (at 4 KiB), written as mdadm.conf
     * does for 1.x metadata: the 16 bytes in disk order, four groups of eight hex digits.
     */
    static String mdUuid(FileChannel ch) throws IOException {
        for (long offset : new long[] {4096, 0}) {
            ByteBuffer sb = read(ch, offset, 32);
            if (sb != null && sb.getInt(0) == MD_MAGIC && sb.getInt(4) == 1) {
                byte[] uuid = new byte[16];
                sb.get(16, uuid);
                String hex = HexFormat.of().formatHex(uuid);
                return hex.substring(0, 8) + ":" + hex.substring(8, 16) + ":" + hex.substring(16, 24) + ":"
                        + hex.substring(24);
            }
        }
        return null;
    }

    /** LVM2's label, "LABELONE" with type "LVM2 001", in one of the first four sectors. */
    static boolean lvmLabel(FileChannel ch) throws IOException {
        for (int sector = 0; sector < 4; sector++) {
            ByteBuffer b = read(ch, sector * 512L, 32);
            if (b != null && ascii(b, 0, 8).equals("LABELONE") && ascii(b, 24, 8).equals("LVM2 001")) {
                return true;
            }
        }
        return false;
    }

    private static String ascii(ByteBuffer b, int at, int length) {
        byte[] bytes = new byte[length];
        b.get(at, bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    /** {@code length} bytes at {@code offset}, little-endian, or null past the end of the file. */
    private static ByteBuffer read(FileChannel ch, long offset, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            if (ch.read(b, offset + b.position()) < 0) {
                return null;
            }
        }
        return b.flip();
    }
}
