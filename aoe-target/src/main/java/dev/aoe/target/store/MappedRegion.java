package dev.aoe.target.store;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * The exported bytes of a regular file mapped read-only, in pieces of up to 1 GiB: a read becomes a
 * memory copy straight into the response, with no system call and no allocation. Writes still go
 * through the channel (the page cache is shared, so the mapping sees them at once), where a full disk
 * is an error and not a SIGBUS.
 */
final class MappedRegion {

    private static final int PIECE_SHIFT = 30;
    private static final long PIECE = 1L << PIECE_SHIFT;

    private final long start;
    private final ByteBuf[] pieces;

    private MappedRegion(long start, ByteBuf[] pieces) {
        this.start = start;
        this.pieces = pieces;
    }

    /** Maps {@code [start, start + length)} of {@code channel}. */
    static MappedRegion map(FileChannel channel, long start, long length) throws IOException {
        int count = (int) ((length + PIECE - 1) >>> PIECE_SHIFT);
        ByteBuf[] pieces = new ByteBuf[count];
        for (int i = 0; i < count; i++) {
            long offset = (long) i << PIECE_SHIFT;
            pieces[i] = Unpooled.wrappedBuffer(channel.map(FileChannel.MapMode.READ_ONLY, start + offset,
                    Math.min(PIECE, length - offset)));
        }
        return new MappedRegion(start, pieces);
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
}
