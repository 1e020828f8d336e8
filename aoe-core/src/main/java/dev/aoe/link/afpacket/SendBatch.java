package dev.aoe.link.afpacket;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.aoe.link.LinkException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Frames waiting to go out in one {@code sendmmsg} call. Native memory laid out once: an array of
 * {@code struct mmsghdr} (64 bytes each on LP64), one {@code struct iovec} per message, and one
 * data slot per message that each frame is copied into. Not thread-safe.
 * <pre>
 * mmsghdr: 0 msg_name | 8 msg_namelen | 16 msg_iov | 24 msg_iovlen | 32 msg_control | 40 msg_controllen
 *          | 48 msg_flags | 56 msg_len
 * iovec:   0 iov_base | 8 iov_len
 * </pre>
 */
final class SendBatch implements AutoCloseable {

    private static final int MMSGHDR = 64;
    private static final int MSG_IOV = 16;
    private static final int MSG_IOVLEN = 24;
    private static final int IOVEC = 16;
    private static final int IOV_LEN = 8;

    private final Memory block;
    private final ByteBuffer layout;
    private final ByteBuf slots;
    private final ByteBuf[] views;
    private final int capacity;
    private final int slotSize;
    private final int iovecs;
    private final int data;
    private int count;
    /** System calls made and frames they sent, for statistics; written by the one thread that flushes. */
    private long calls;
    private long frames;

    SendBatch(int capacity, int maxFrame) {
        this.capacity = capacity;
        this.slotSize = (maxFrame + 63) & ~63;
        this.iovecs = capacity * MMSGHDR;
        this.data = iovecs + capacity * IOVEC;
        long size = (long) data + (long) capacity * slotSize;
        this.block = new Memory(size);
        block.clear();
        this.layout = block.getByteBuffer(0, size).order(ByteOrder.nativeOrder());
        this.slots = Unpooled.wrappedBuffer(block.getByteBuffer(data, (long) capacity * slotSize));
        this.views = new ByteBuf[capacity];
        for (int i = 0; i < capacity; i++) {
            views[i] = Unpooled.unreleasableBuffer(slots.slice(i * slotSize, slotSize));
        }
        long address = Pointer.nativeValue(block);
        for (int i = 0; i < capacity; i++) {
            layout.putLong(i * MMSGHDR + MSG_IOV, address + iovecs + (long) i * IOVEC);
            layout.putLong(i * MMSGHDR + MSG_IOVLEN, 1);
            layout.putLong(iovecs + i * IOVEC, address + data + (long) i * slotSize);
        }
    }

    int count() {
        return count;
    }

    int slotSize() {
        return slotSize;
    }

    /** The next free slot as an empty buffer, to build a frame in place; {@link #commit} sends it. */
    ByteBuf nextSlot() {
        return views[count].clear();
    }

    /** True when {@code frame} is {@link #nextSlot()}'s buffer with its frame starting at the slot's start. */
    boolean isNextSlot(ByteBuf frame) {
        return count < capacity && frame == views[count] && frame.readerIndex() == 0;
    }

    /** Queues the frame built in {@link #nextSlot()}; true when the batch is now full. */
    boolean commit(ByteBuf slot) {
        layout.putLong(iovecs + count * IOVEC + IOV_LEN, slot.readableBytes());
        count++;
        return count == capacity;
    }

    /** Copies the frame's readable bytes into the next slot; true when the batch is now full. */
    boolean add(ByteBuf frame) {
        int length = frame.readableBytes();
        if (length > slotSize) {
            throw new LinkException("a frame of " + length + " bytes does not fit the link's MTU");
        }
        slots.setBytes(count * slotSize, frame, frame.readerIndex(), length);
        layout.putLong(iovecs + count * IOVEC + IOV_LEN, length);
        count++;
        return count == capacity;
    }

    /** Sends every queued frame, retrying the rest after a partial send; the batch is empty afterwards. */
    void flush(int fd, String name) {
        int sent = 0;
        try {
            while (sent < count) {
                try {
                    sent += LibC.sendmmsg(fd, sent == 0 ? block : block.share((long) sent * MMSGHDR), count - sent, 0);
                    calls++;
                } catch (LastErrorException e) {
                    if (e.getErrorCode() != LibC.EINTR) {
                        throw new LinkException("send on " + name + " failed: " + LibC.describe(e), e);
                    }
                }
            }
        } finally {
            frames += sent;
            count = 0;
        }
    }

    long calls() {
        return calls;
    }

    long frames() {
        return frames;
    }

    @Override
    public void close() {
        block.close();
    }
}
