package dev.aoe.initrd.cpio;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Writes a cpio archive in the "newc" format the kernel unpacks into its initramfs
 * (Documentation/driver-api/early-userspace/buffer-format.rst):
 * <pre>
 *  "070701" + 13 fields of 8 upper-case hex digits: ino mode uid gid nlink mtime filesize
 *           devmajor devminor rdevmajor rdevminor namesize check
 *  name + NUL, padded to 4 bytes from the record's start; data, padded to 4; ... "TRAILER!!!"
 * </pre>
 * Inodes are numbered in write order, nlink is 1 (no hard-link matching), uid and gid 0, one mtime for
 * all: the same entries in the same order give the same bytes.
 */
public final class NewcWriter implements AutoCloseable {

    static final String MAGIC = "070701";
    static final String TRAILER = "TRAILER!!!";
    static final int HEADER_LENGTH = 110;

    private final OutputStream out;
    private final long mtime;
    private long position;
    private int nextInode = 1;

    public NewcWriter(OutputStream out, long mtime) {
        this.out = out;
        this.mtime = mtime;
    }

    public void write(CpioEntry e) throws IOException {
        record(nextInode++, e.mode(), e.type() == CpioEntry.Type.DIRECTORY ? 2 : 1, e.data(), e.rdevMajor(), e.rdevMinor(),
                e.path());
    }

    private void record(int inode, int mode, int nlink, byte[] data, int rdevMajor, int rdevMinor, String name)
            throws IOException {
        byte[] nameBytes = (name + "\0").getBytes(StandardCharsets.UTF_8);
        StringBuilder h = new StringBuilder(HEADER_LENGTH).append(MAGIC);
        for (long field : new long[] {inode, mode, 0, 0, nlink, mtime, data.length, 0, 0, rdevMajor, rdevMinor,
            nameBytes.length, 0}) {
            h.append(String.format(Locale.ROOT, "%08X", field));
        }
        emit(h.toString().getBytes(StandardCharsets.US_ASCII));
        emit(nameBytes);
        pad();
        emit(data);
        pad();
    }

    private void emit(byte[] bytes) throws IOException {
        out.write(bytes);
        position += bytes.length;
    }

    private void pad() throws IOException {
        while (position % 4 != 0) {
            out.write(0);
            position++;
        }
    }

    /** Writes the trailer (which also ends the kernel's hard-link table) and flushes. */
    public void finish() throws IOException {
        record(0, 0, 1, new byte[0], 0, 0, TRAILER);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
