package dev.aoe.target.store;

import io.netty.buffer.ByteBuf;
import java.io.Closeable;
import java.io.IOException;

/**
 * The sectors behind one export. Reads and writes of overlapping ranges are atomic with respect to
 * each other: a read sees all or nothing of a concurrent write.
 */
public interface BlockStore extends Closeable {

    int SECTOR_SIZE = 512;

    long sectors();

    boolean readOnly();

    /** Appends {@code count} sectors starting at {@code lba} to {@code dst}. */
    void read(long lba, int count, ByteBuf dst) throws IOException;

    /** Writes {@code count} sectors from {@code src} at {@code srcIndex}, without moving its indexes. */
    void write(long lba, int count, ByteBuf src, int srcIndex) throws IOException;

    /** Makes every completed write durable (fdatasync). */
    void flush() throws IOException;

    /**
     * Re-reads the size of what is behind the store, where it can change underneath (a file);
     * returns a line saying what changed, or null.
     */
    default String checkSize() {
        return null;
    }
}
