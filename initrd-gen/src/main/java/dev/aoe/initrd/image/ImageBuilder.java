package dev.aoe.initrd.image;

import dev.aoe.initrd.cpio.CpioEntry;
import dev.aoe.initrd.cpio.NewcWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;

/**
 * Collects the entries of an initramfs and writes them as one compressed newc archive. Paths are kept
 * sorted, and a parent's path is a prefix of its children's, so every directory is written before
 * what it holds (the kernel silently drops entries whose parent is missing); missing parents are
 * added. A later entry for the same path replaces the earlier one, and {@link #replaced()} says so.
 */
public final class ImageBuilder {

    private final TreeMap<String, CpioEntry> entries = new TreeMap<>();
    private final List<String> replaced = new ArrayList<>();

    public ImageBuilder add(CpioEntry entry) {
        for (String dir = entry.parent(); dir != null; dir = CpioEntry.parentOf(dir)) {
            CpioEntry existing = entries.get(dir);
            if (existing == null) {
                entries.put(dir, CpioEntry.directory(dir));
            } else if (existing.type() != CpioEntry.Type.DIRECTORY) {
                throw new IllegalArgumentException(entry.path() + " needs " + dir + " to be a directory, not a "
                        + existing.type());
            }
        }
        CpioEntry old = entries.put(entry.path(), entry);
        if (old != null && !old.equals(entry) && old.type() != CpioEntry.Type.DIRECTORY) {
            replaced.add(entry.path());
        }
        return this;
    }

    public Collection<CpioEntry> entries() {
        return entries.values();
    }

    /** Paths given twice with different contents, the later one kept. */
    public List<String> replaced() {
        return List.copyOf(replaced);
    }

    /** What a build wrote. */
    public record Report(int entries, int files, long rawBytes, long compressedBytes) {
    }

    /** Writes the archive; every entry gets {@code mtime} (SOURCE_DATE_EPOCH, or 0). */
    public Report write(OutputStream target, Compression compression, long mtime) throws IOException {
        CountingOutputStream counted = new CountingOutputStream(target);
        CountingOutputStream raw;
        try (OutputStream compressed = compression.wrap(new NonClosing(counted))) {
            raw = new CountingOutputStream(compressed);
            NewcWriter writer = new NewcWriter(raw, mtime);
            for (CpioEntry e : entries.values()) {
                writer.write(e);
            }
            writer.finish();
        }
        // pad the compressed stream to 4 bytes, so another segment could be appended aligned (as LinuxKit does)
        while (counted.count % 4 != 0) {
            counted.write(0);
        }
        counted.flush();
        int files = (int) entries.values().stream().filter(e -> e.type() == CpioEntry.Type.FILE).count();
        return new Report(entries.size(), files, raw.count, counted.count);
    }

    private static final class CountingOutputStream extends java.io.FilterOutputStream {
        long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }

    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
