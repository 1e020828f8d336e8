package dev.aoe.target.store;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * The exported bytes of a regular file mapped into memory, in pieces of up to 1 GiB: a read or a
 * write becomes a memory copy between the frame and the page cache, with no system call and no
 * allocation. A page the file system cannot back (a hole on a full disk, a file truncated by someone
 * else) raises an {@link InternalError} from the copy, which the store turns into an I/O error.
 */
final class MappedRegion {

    private static final int PIECE_SHIFT = 30;
    private static final long PIECE = 1L << PIECE_SHIFT;

    private final long start;
    private final ByteBuf[] pieces;
    private final MappedByteBuffer[] maps;

    private MappedRegion(long start, ByteBuf[] pieces, MappedByteBuffer[] maps) {
        this.start = start;
        this.pieces = pieces;
        this.maps = maps;
    }

    /** Maps {@code [start, start + length)} of {@code channel}, writable or read-only. */
    static MappedRegion map(FileChannel channel, long start, long length, boolean writable) throws IOException {
        int count = (int) ((length + PIECE - 1) >>> PIECE_SHIFT);
        ByteBuf[] pieces = new ByteBuf[count];
        MappedByteBuffer[] maps = new MappedByteBuffer[count];
        for (int i = 0; i < count; i++) {
            long offset = (long) i << PIECE_SHIFT;
            MappedByteBuffer mapped = channel.map(writable ? FileChannel.MapMode.READ_WRITE
                    : FileChannel.MapMode.READ_ONLY, start + offset, Math.min(PIECE, length - offset));
            maps[i] = mapped;
            pieces[i] = Unpooled.wrappedBuffer(mapped);
        }
        return new MappedRegion(start, pieces, maps);
    }

    /** Appends bytes {@code [position, position + length)} of the file to {@code dst}. */
    void read(long position, int length, ByteBuf dst) {
        long at = position - start;
        while (length > 0) {
            ByteBuf piece = pieces[(int) (at >>> PIECE_SHIFT)];
            int offset = (int) (at & (PIECE - 1));
            int n = Math.min(length, piece.capacity() - offset);
            dst.writeBytes(piece, offset, n);
            at += n;
            length -= n;
        }
    }

    /** Copies {@code length} bytes of {@code src} from {@code srcIndex} to file position {@code position}. */
    void write(long position, int length, ByteBuf src, int srcIndex) {
        long at = position - start;
        while (length > 0) {
            ByteBuf piece = pieces[(int) (at >>> PIECE_SHIFT)];
            int offset = (int) (at & (PIECE - 1));
            int n = Math.min(length, piece.capacity() - offset);
            piece.setBytes(offset, src, srcIndex, n);
            at += n;
            srcIndex += n;
            length -= n;
        }
    }

    /** msync: writes the mapping's dirty pages to the file (the caller's fsync then makes them durable). */
    void force() {
        for (MappedByteBuffer map : maps) {
            if (!map.isReadOnly()) {
                map.force();
            }
        }
    }
}
