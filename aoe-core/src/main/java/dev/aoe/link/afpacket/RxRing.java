package dev.aoe.link.afpacket;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.aoe.link.LinkException;
import dev.aoe.link.LinkUnsupportedException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A PACKET_RX_RING shared with the kernel: the kernel writes received frames into it and flips a
 * status word to hand each one over; we read them in place and flip it back. No system call per
 * frame: only {@code poll} when the ring is empty.
 */
abstract class RxRing implements AutoCloseable {

    static final int TP_STATUS_KERNEL = 0;
    static final int TP_STATUS_USER = 1;
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    /** Receives each frame as an offset and length in {@link #memory()}. */
    interface FrameSink {
        void frame(int offset, int length);
    }

    private final Pointer base;
    private final long size;
    protected final ByteBuffer memory;
    private long truncated;

    protected RxRing(int fd, int size) {
        Pointer mapped;
        try {
            mapped = LibC.mmap(null, size, LibC.PROT_READ_WRITE, LibC.MAP_SHARED, fd, 0);
        } catch (LastErrorException e) {
            throw new LinkException("cannot map the receive ring (" + size + " bytes): " + LibC.describe(e), e);
        }
        this.base = mapped;
        this.size = size;
        this.memory = mapped.getByteBuffer(0, size).order(ByteOrder.nativeOrder());
    }

    /** Sets up the ring of {@code version} on a bound packet socket for frames of up to {@code mtu} + 14 bytes. */
    static RxRing open(int fd, RingVersion version, int mtu) {
        int frameSize = Integer.highestOneBit(mtu + 14 + 127) << 1;
        return version == RingVersion.V3 ? BlockRing.open(fd, frameSize) : FrameRing.open(fd, frameSize);
    }

    /** The ring's memory in native byte order. */
    ByteBuffer memory() {
        return memory;
    }

    /**
     * Hands every frame the kernel has finished to {@code sink}, up to {@code budget} of them, and
     * gives their slots back. Returns how many it delivered: 0 means wait ({@code poll}) for more.
     */
    abstract int drain(FrameSink sink, int budget);

    /** True when the kernel has handed over the next slot (or block): {@link #drain} would deliver. */
    abstract boolean ready();

    /** Frames longer than a slot, dropped (only possible if the MTU grew after the link opened). */
    long truncated() {
        return truncated;
    }

    protected void countTruncated() {
        truncated++;
    }

    protected int status(int offset) {
        return (int) INT.getVolatile(memory, offset);
    }

    protected void release(int offset) {
        INT.setVolatile(memory, offset, TP_STATUS_KERNEL);
    }

    protected static void request(int fd, int version, int... words) {
        try (Memory value = new Memory(4)) {
            value.setInt(0, version);
            LibC.setsockopt(fd, LibC.SOL_PACKET, LibC.PACKET_VERSION, value, 4);
        } catch (LastErrorException e) {
            throw new LinkUnsupportedException("this kernel lacks TPACKET version " + (version + 1) + ": "
                    + LibC.describe(e), e);
        }
        try (Memory req = new Memory(4L * words.length)) {
            for (int i = 0; i < words.length; i++) {
                req.setInt(4L * i, words[i]);
            }
            LibC.setsockopt(fd, LibC.SOL_PACKET, LibC.PACKET_RX_RING, req, 4 * words.length);
        } catch (LastErrorException e) {
            throw new LinkException("cannot set up the receive ring: " + LibC.describe(e), e);
        }
    }

    @Override
    public void close() {
        try {
            LibC.munmap(base, size);
        } catch (LastErrorException ignored) {
            // the mapping goes with the process anyway
        }
    }
}
