package dev.aoe.initrd.cpio;

import java.util.Arrays;

/**
 * One record of a newc archive: a path without a leading slash, its type and permission bits, and
 * its contents (file data, or a symlink's target) or device numbers. Owners are always root.
 */
public record CpioEntry(String path, Type type, int permissions, byte[] data, int rdevMajor, int rdevMinor) {

    /** File types, with their st_mode type bits. */
    public enum Type {
        FILE(0100000), DIRECTORY(0040000), SYMLINK(0120000), CHAR_DEVICE(0020000), BLOCK_DEVICE(0060000);

        final int modeBits;

        Type(int modeBits) {
            this.modeBits = modeBits;
        }

        static Type ofMode(int mode) {
            for (Type t : values()) {
                if ((mode & 0170000) == t.modeBits) {
                    return t;
                }
            }
            throw new IllegalArgumentException("unsupported file type in mode 0" + Integer.toOctalString(mode));
        }
    }

    public CpioEntry {
        if (path.isEmpty() || path.startsWith("/") || path.endsWith("/") || path.contains("//")) {
            throw new IllegalArgumentException("bad archive path '" + path + "' (relative, no trailing slash)");
        }
        if ((permissions & ~07777) != 0) {
            throw new IllegalArgumentException("permissions 0" + Integer.toOctalString(permissions) + " of " + path);
        }
    }

    public static CpioEntry file(String path, int permissions, byte[] data) {
        return new CpioEntry(path, Type.FILE, permissions, data, 0, 0);
    }

    public static CpioEntry directory(String path) {
        return new CpioEntry(path, Type.DIRECTORY, 0755, new byte[0], 0, 0);
    }

    public static CpioEntry symlink(String path, String target) {
        return new CpioEntry(path, Type.SYMLINK, 0777, target.getBytes(java.nio.charset.StandardCharsets.UTF_8), 0, 0);
    }

    public static CpioEntry charDevice(String path, int permissions, int major, int minor) {
        return new CpioEntry(path, Type.CHAR_DEVICE, permissions, new byte[0], major, minor);
    }

    public int mode() {
        return type.modeBits | permissions;
    }

    /** The parent directory's path, or null at the top. */
    public String parent() {
        return parentOf(path);
    }

    /** The parent directory of an archive path, or null at the top. */
    public static String parentOf(String path) {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? null : path.substring(0, slash);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpioEntry e && path.equals(e.path) && type == e.type && permissions == e.permissions
                && Arrays.equals(data, e.data) && rdevMajor == e.rdevMajor && rdevMinor == e.rdevMinor;
    }

    @Override
    public int hashCode() {
        return path.hashCode() * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return type + " " + path + " (" + data.length + " bytes)";
    }
}
