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
 * allocation. A mapping faults (SIGBUS, which the JVM reports as an {@link InternalError} at some
 * later point, not at the copy) where the file system cannot back a page: a write into a hole on a
 * full disk, and also a read of a hole on a full tmpfs. So the mapping is used only for 4 KiB pages
 * known to be backed: a page is backed once it has been written through {@code pwrite} (the first
 * write into each page goes that way: a full disk is then an ordinary {@link IOException}), or once
 * a {@code pread} of it found data (a page of zeros may still be a hole, and stays on pread). The
 * file shrinking underneath is the other cause of faults; {@link FileBlockStore} watches its size
 * and replaces the region.
 */
final class MappedRegion {

    private static final int PIECE_SHIFT = 30;
    private static final long PIECE = 1L << PIECE_SHIFT;
    private static final int PAGE_SHIFT = 12;
    private static final int PAGE = 1 << PAGE_SHIFT;
    /** Beyond this many pages the bitmap would be large: such regions go through pread and pwrite only. */
    private static final long MAX_TRACKED_PAGES = 1L << 28;
    /** The largest request (255 sectors) spans at most 33 pages. */
    private static final ThreadLocal<ByteBuffer> SCRATCH = ThreadLocal.withInitial(
            () -> ByteBuffer.allocateDirect(34 * PAGE));

    private final long start;
    private final long end;
    private final ByteBuf[] pieces;
    private final MappedByteBuffer[] maps;
    private final boolean writable;
    private final long[] backed;

    private MappedRegion(long start, long length, ByteBuf[] pieces, MappedByteBuffer[] maps, boolean writable) {
        this.start = start;
        this.end = start + length;
        this.pieces = pieces;
        this.maps = maps;
        this.writable = writable;
        long pages = ((end - 1) >>> PAGE_SHIFT) + 1;
        this.backed = pages <= MAX_TRACKED_PAGES ? new long[(int) ((pages + 63) >>> 6)] : null;
    }

    /** True when this region can serve at all (its bitmap fits); else the store uses its channel. */
    boolean usable() {
        return backed != null;
    }

    boolean writable() {
        return writable && backed != null;
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

    private boolean isBacked(long page) {
        return (backed[(int) (page >>> 6)] & (1L << page)) != 0;
    }

    private void markBacked(long page) {
        backed[(int) (page >>> 6)] |= 1L << page;
    }

    /**
     * Appends bytes {@code [position, position + length)} of the file to {@code dst}: through the mapping
     * when every page is backed, else with pread of the whole pages (marking those holding data).
     * The caller holds at least the read lock of every chunk the range touches.
     */
    void read(long position, int length, ByteBuf dst, FileChannel channel) throws IOException {
        int at = dst.writerIndex();
        dst.ensureWritable(length);
        long first = position >>> PAGE_SHIFT;
        long last = (position + length - 1) >>> PAGE_SHIFT;
        for (long p = first; p <= last; p++) {
            if (!isBacked(p)) {
                readThrough(position, length, dst, channel);
                return;
            }
        }
        transfer(position, length, dst, at, false);
        dst.writerIndex(at + length);
    }

    private void readThrough(long position, int length, ByteBuf dst, FileChannel channel) throws IOException {
        long from = Math.max(position & ~(PAGE - 1L), start);
        long to = Math.min(((position + length - 1) | (PAGE - 1L)) + 1, end);
        ByteBuffer pages = SCRATCH.get().clear().limit((int) (to - from));
        while (pages.hasRemaining()) {
            if (channel.read(pages, from + pages.position()) < 0) {
                throw new IOException("the file ends at byte " + (from + pages.position()) + ", before the exported "
                        + "range (was it truncated?)");
            }
        }
        for (long p = from; p < to; p += PAGE) {
            int offset = (int) (p - from);
            int size = (int) Math.min(PAGE, to - p);
            if (!zeros(pages, offset, size)) {
                markBacked(p >>> PAGE_SHIFT);
            }
        }
        pages.limit((int) (position - from) + length).position((int) (position - from));
        dst.writeBytes(pages);
    }

    private static boolean zeros(ByteBuffer b, int offset, int size) {
        int i = offset;
        for (int end = offset + size - 7; i < end; i += 8) {
            if (b.getLong(i) != 0) {
                return false;
            }
        }
        for (; i < offset + size; i++) {
            if (b.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Copies {@code length} bytes of {@code src} from {@code srcIndex} to file position {@code position};
     * the caller holds the write lock of every 64 KiB chunk the range touches (so of its pages too).
     */
    void write(long position, int length, ByteBuf src, int srcIndex, FileChannel channel) throws IOException {
        for (long p = position >>> PAGE_SHIFT; p <= (position + length - 1) >>> PAGE_SHIFT; p++) {
            if (!isBacked(p)) {
                back(p, channel);
            }
        }
        transfer(position, length, src, srcIndex, true);
    }

    /** Writes page {@code p}'s current bytes with pwrite, so the file system allocates it now or says it cannot. */
    private void back(long p, FileChannel channel) throws IOException {
        long from = Math.max(p << PAGE_SHIFT, start);
        long to = Math.min((p + 1) << PAGE_SHIFT, end);
        ByteBuffer page = SCRATCH.get().clear().limit((int) (to - from));
        while (page.hasRemaining()) {   // pread, not the mapping: a tmpfs read fault would allocate the page
            if (channel.read(page, from + page.position()) < 0) {
                break;
            }
        }
        page.clear().limit((int) (to - from));
        while (page.hasRemaining()) {
            channel.write(page, from + page.position());
        }
        markBacked(p);
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
