package dev.aoe.initiator;

import dev.aoe.ata.AtaCommands;
import dev.aoe.ata.IdentifyData;
import dev.aoe.frame.AtaFlyweight;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SeekableByteChannel;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * One opened AoE device: reads, writes and flushes by byte offset, synchronous or asynchronous.
 * A request becomes frames of the sectors per frame the target and our MTU allow, as many in flight
 * as the paths' windows allow, whatever its size: one future per request, none per frame. Unaligned
 * writes read, modify and write their edge sectors. Thread-safe. An asynchronous request's buffer
 * must stay untouched until its future completes.
 */
public final class AoeDevice implements AutoCloseable {

    public static final int SECTOR_SIZE = AtaFlyweight.SECTOR_SIZE;

    private final Initiator initiator;
    private final TargetInfo target;
    private final FrameEngine engine;
    private final IdentifyData identify;
    private final long sectors;
    private final boolean lba48;
    /** Runs unaligned writes one at a time, off the callers' and the common pool's threads. */
    private final ExecutorService edges;

    AoeDevice(Initiator initiator, TargetInfo target, FrameEngine engine, IdentifyData identify) {
        this.initiator = initiator;
        this.target = target;
        this.engine = engine;
        this.identify = identify;
        this.sectors = identify.capacitySectors();
        this.lba48 = identify.lba48();
        this.edges = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "aoe-rmw-" + target.address());
            t.setDaemon(true);
            return t;
        });
    }

    public AoeAddress address() {
        return target.address();
    }

    public TargetInfo target() {
        return target;
    }

    public IdentifyData identify() {
        return identify;
    }

    public long sectors() {
        return sectors;
    }

    public long sizeBytes() {
        return sectors * SECTOR_SIZE;
    }

    /** Sectors carried per frame: the least of the target's and what each local link's MTU allows. */
    public int sectorsPerFrame() {
        return engine.maxSectors();
    }

    /** Per-path figures: frames sent, answered, lost; window; smoothed RTT and RTO. */
    public List<String> pathStats() {
        return engine.pathStats();
    }

    /** Frames sent again because they were lost (or answered too late). */
    public long retransmits() {
        return engine.retransmits();
    }

    FrameEngine engine() {
        return engine;
    }

    /** Reads {@code dst.remaining()} bytes at {@code offset} into {@code dst} (its position moves on success). */
    public CompletableFuture<Void> readAsync(long offset, ByteBuffer dst) {
        int length = dst.remaining();
        CompletableFuture<Void> done = withoutFrames(offset, length);
        if (done != null) {
            return done;
        }
        if (aligned(offset, length)) {
            return transfer(offset / SECTOR_SIZE, dst, false).thenRun(() -> dst.position(dst.position() + length));
        }
        long first = offset / SECTOR_SIZE;
        long end = (offset + length + SECTOR_SIZE - 1) / SECTOR_SIZE;
        int head = (int) (offset % SECTOR_SIZE);
        ByteBuffer whole = ByteBuffer.allocate((int) ((end - first) * SECTOR_SIZE));
        return transfer(first, whole, false).thenRun(() -> dst.put(whole.position(head).limit(head + length)));
    }

    /** Writes {@code src.remaining()} bytes at {@code offset} (its position moves on success). */
    public CompletableFuture<Void> writeAsync(long offset, ByteBuffer src) {
        int length = src.remaining();
        CompletableFuture<Void> done = withoutFrames(offset, length);
        if (done != null) {
            return done;
        }
        if (aligned(offset, length)) {
            return transfer(offset / SECTOR_SIZE, src, true).thenRun(() -> src.position(src.position() + length));
        }
        ByteBuffer data = src.slice();
        return CompletableFuture.runAsync(() -> {
            try {
                writeUnaligned(offset, data);
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        }, edges).thenRun(() -> src.position(src.position() + length));
    }

    /**
     * Read-modify-write of the sectors an unaligned range touches. It runs on the device's one
     * {@link #edges} thread, so two unaligned writes sharing an edge sector cannot undo each other.
     */
    private void writeUnaligned(long offset, ByteBuffer src) throws IOException {
        long first = offset / SECTOR_SIZE;
        long end = (offset + src.remaining() + SECTOR_SIZE - 1) / SECTOR_SIZE;
        ByteBuffer sectorsBuffer = ByteBuffer.allocate((int) ((end - first) * SECTOR_SIZE));
        int head = (int) (offset % SECTOR_SIZE);
        await(transfer(first, sectorsBuffer.duplicate().limit(SECTOR_SIZE), false));
        if (end - first > 1) {
            await(transfer(end - 1, sectorsBuffer.duplicate().position(sectorsBuffer.capacity() - SECTOR_SIZE), false));
        }
        sectorsBuffer.duplicate().position(head).put(src.duplicate());
        await(transfer(first, sectorsBuffer, true));
    }

    /** The finished future of a request that needs no frames (out of range, or empty), else null. */
    private CompletableFuture<Void> withoutFrames(long offset, int length) {
        if (offset < 0 || length < 0 || offset + length > sizeBytes()) {
            return CompletableFuture.failedFuture(new AoeIoException(address() + ": bytes " + offset + ".."
                    + (offset + length) + " are outside the device (" + sizeBytes() + " bytes)"));
        }
        return length == 0 ? CompletableFuture.completedFuture(null) : null;
    }

    private static boolean aligned(long offset, int length) {
        return offset % SECTOR_SIZE == 0 && length % SECTOR_SIZE == 0;
    }

    /** Whole sectors from {@code lba} to or from the buffer's remaining bytes (a multiple of 512), as one request. */
    private CompletableFuture<Void> transfer(long lba, ByteBuffer buffer, boolean write) {
        int count = buffer.remaining() / SECTOR_SIZE;
        int opcode = write ? (lba48 ? AtaCommands.WRITE_SECTORS_EXT : AtaCommands.WRITE_SECTORS)
                : (lba48 ? AtaCommands.READ_SECTORS_EXT : AtaCommands.READ_SECTORS);
        Request r = new Request(opcode, lba48, write, lba, count, buffer, null);
        engine.submit(r);
        return r.done;
    }

    /** Makes completed writes durable: FLUSH CACHE EXT when advertised, else FLUSH CACHE; a no-op when neither is. */
    public CompletableFuture<Void> flushAsync() {
        int opcode;
        if (identify.flushCacheExt()) {
            opcode = AtaCommands.FLUSH_CACHE_EXT;
        } else if (identify.flushCache()) {
            opcode = AtaCommands.FLUSH_CACHE;
        } else {
            return CompletableFuture.completedFuture(null);
        }
        Request r = new Request(opcode, opcode == AtaCommands.FLUSH_CACHE_EXT, false, 0, 0, null, null);
        engine.submit(r);
        return r.done;
    }

    public void read(long offset, ByteBuffer dst) throws IOException {
        await(readAsync(offset, dst));
    }

    public void read(long offset, byte[] b, int off, int len) throws IOException {
        read(offset, ByteBuffer.wrap(b, off, len));
    }

    public void write(long offset, ByteBuffer src) throws IOException {
        await(writeAsync(offset, src));
    }

    public void write(long offset, byte[] b, int off, int len) throws IOException {
        write(offset, ByteBuffer.wrap(b, off, len));
    }

    public void flush() throws IOException {
        await(flushAsync());
    }

    /** Waits for one of this library's futures, rethrowing its failure as the IOException it carries. */
    public static <T> T await(CompletableFuture<T> future) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while (cause instanceof CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException(cause);
        } catch (CancellationException e) {
            throw new IOException("cancelled", e);
        }
    }

    /**
     * A seekable channel over the device; its size is the device's, and it cannot grow. Each read or
     * write is one request; sequential reads of at most 4 MiB fetch the next range ahead, so a
     * stream of them keeps the window full.
     */
    public SeekableByteChannel channel() {
        return new DeviceChannel(this);
    }

    /** The device's bytes from {@code offset} to the end, read in chunks of {@code chunk} bytes, the next one ahead. */
    public InputStream inputStream(long offset, int chunk) {
        SeekableByteChannel ch = channel();
        try {
            ch.position(offset);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        ByteBuffer buffer = ByteBuffer.allocate(chunk).flip();
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (!buffer.hasRemaining()) {
                    buffer.clear();
                    if (ch.read(buffer) < 0) {
                        return -1;
                    }
                    buffer.flip();
                }
                int n = Math.min(len, buffer.remaining());
                buffer.get(b, off, n);
                return n;
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }

    /** Fails what is queued or in flight; the initiator stays open. */
    @Override
    public void close() {
        initiator.closed(this);
        edges.shutdown();
    }

    @Override
    public String toString() {
        return address() + " (" + sectors + " sectors, " + sectorsPerFrame() + " per frame, paths " + target.paths() + ")";
    }

    /** {@link #channel()}: reads ahead while the reads are sequential. */
    private static final class DeviceChannel implements SeekableByteChannel {
        private static final int MAX_AHEAD = 4 << 20;

        private final AoeDevice device;
        private long position;
        private boolean open = true;
        private ByteBuffer ahead;
        private long aheadAt = -1;
        private CompletableFuture<Void> aheadDone;

        DeviceChannel(AoeDevice device) {
            this.device = device;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            ensureOpen();
            long size = device.sizeBytes();
            if (position >= size) {
                return -1;
            }
            int n = (int) Math.min(dst.remaining(), size - position);
            if (n == 0) {
                return 0;
            }
            if (aheadDone != null && aheadAt == position && ahead.remaining() >= n) {
                await(aheadDone);
                dst.put(ahead.duplicate().limit(ahead.position() + n));
                ahead.position(ahead.position() + n);
            } else {
                dropAhead();
                ByteBuffer part = dst.duplicate().limit(dst.position() + n);
                device.read(position, part);
                dst.position(dst.position() + n);
            }
            position += n;
            if (n <= MAX_AHEAD && position < size && (aheadDone == null || !ahead.hasRemaining())) {
                int next = (int) Math.min(n, size - position);
                ahead = ByteBuffer.allocate(next);
                aheadAt = position;
                aheadDone = device.readAsync(position, ahead.duplicate());
            } else if (aheadDone != null) {
                aheadAt = position;
            }
            return n;
        }

        private void dropAhead() {
            if (aheadDone != null) {
                aheadDone.cancel(false);   // the request still finishes; only its data is not used
                aheadDone = null;
                ahead = null;
                aheadAt = -1;
            }
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            ensureOpen();
            dropAhead();
            int n = src.remaining();
            device.write(position, src);
            position += n;
            return n;
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public SeekableByteChannel position(long newPosition) {
            if (newPosition < 0) {
                throw new IllegalArgumentException("negative position " + newPosition);
            }
            position = newPosition;
            return this;
        }

        @Override
        public long size() {
            return device.sizeBytes();
        }

        @Override
        public SeekableByteChannel truncate(long size) throws IOException {
            throw new IOException(device.address() + ": an AoE device cannot be truncated");
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        @Override
        public void close() {
            open = false;
            dropAhead();
        }

        private void ensureOpen() throws ClosedChannelException {
            if (!open) {
                throw new ClosedChannelException();
            }
        }
    }
}
