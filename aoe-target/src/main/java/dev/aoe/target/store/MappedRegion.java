package dev.aoe.target.store;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * The exported bytes of a regular file mapped into memory, in pieces of up to 1 GiB: a read or a
 * write becomes a memory copy between the frame and the page cache, with no system call and no
 * allocation. A write through a mapping into a hole the file system cannot fill (a full disk) would
 * raise SIGBUS, which the JVM reports as an {@link InternalError} at some later point, not at the copy:
 * so the first write into each 4 KiB page goes through {@code pwrite} (the page's current bytes, then
 * the copy), where a full disk is an ordinary {@link IOException}, and the page is remembered as backed.
 */
final class MappedRegion {

    private static final int PIECE_SHIFT = 30;
    private static final long PIECE = 1L << PIECE_SHIFT;
    private static final int PAGE_SHIFT = 12;
    private static final int PAGE = 1 << PAGE_SHIFT;
    /** Beyond this many pages the bitmap would be large: such regions are only read through the mapping. */
    private static final long MAX_TRACKED_PAGES = 1L << 28;

    private final long start;
    private final long end;
    private final ByteBuf[] pieces;
    private final MappedByteBuffer[] maps;
    private final long[] backed;

    private MappedRegion(long start, long length, ByteBuf[] pieces, MappedByteBuffer[] maps, boolean writable) {
        this.start = start;
        this.end = start + length;
        this.pieces = pieces;
        this.maps = maps;
        long pages = ((end - 1) >>> PAGE_SHIFT) + 1;
        this.backed = writable && pages <= MAX_TRACKED_PAGES ? new long[(int) ((pages + 63) >>> 6)] : null;
    }

    /** True when writes may go through the mapping (see {@link #write}); else the store writes through its channel. */
    boolean writable() {
        return backed != null;
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
        return new MappedRegion(start, length, pieces, maps, writable);
    }

    /** Appends bytes {@code [position, position + length)} of the file to {@code dst}. */
    void read(long position, int length, ByteBuf dst) {
        int at = dst.writerIndex();
        dst.ensureWritable(length);
        transfer(position, length, dst, at, false);
        dst.writerIndex(at + length);
    }

    /**
     * Copies {@code length} bytes of {@code src} from {@code srcIndex} to file position {@code position};
     * the caller holds the write lock of every 64 KiB chunk the range touches (so of its pages too).
     */
    void write(long position, int length, ByteBuf src, int srcIndex, FileChannel channel) throws IOException {
        for (long p = position >>> PAGE_SHIFT; p <= (position + length - 1) >>> PAGE_SHIFT; p++) {
            if ((backed[(int) (p >>> 6)] & (1L << p)) == 0) {
                back(p, channel);
            }
        }
        transfer(position, length, src, srcIndex, true);
    }

    /** Writes page {@code p}'s current bytes with pwrite, so the file system allocates it now or says it cannot. */
    private void back(long p, FileChannel channel) throws IOException {
        long from = Math.max(p << PAGE_SHIFT, start);
        long to = Math.min((p + 1) << PAGE_SHIFT, end);
        ByteBuffer page = ByteBuffer.allocate((int) (to - from));   // once per page of the file, ever
        while (page.hasRemaining()) {   // pread, not the mapping: a tmpfs read fault would allocate the page
            if (channel.read(page, from + page.position()) < 0) {
                break;
            }
        }
        page.clear();
        while (page.hasRemaining()) {
            channel.write(page, from + page.position());
        }
        backed[(int) (p >>> 6)] |= 1L << p;
    }

    /** Copies between the mapping at file {@code position} and {@code buf} at {@code index}, piece by piece. */
    private void transfer(long position, int length, ByteBuf buf, int index, boolean toFile) {
        long at = position - start;
        while (length > 0) {
            ByteBuf piece = pieces[(int) (at >>> PIECE_SHIFT)];
            int offset = (int) (at & (PIECE - 1));
            int n = Math.min(length, piece.capacity() - offset);
            if (toFile) {
                piece.setBytes(offset, buf, index, n);
            } else {
                piece.getBytes(offset, buf, index, n);
            }
            at += n;
            index += n;
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
