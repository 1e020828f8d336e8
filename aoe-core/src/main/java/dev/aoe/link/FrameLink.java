package dev.aoe.link;

import dev.aoe.ethernet.MacAddress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;

/**
 * A raw Ethernet port that carries AoE frames (EtherType 0x88A2) and nothing else.
 * Frames are whole Ethernet frames without the FCS.
 */
public interface FrameLink extends AutoCloseable {

    /** Interface name, for messages: {@code eth0}, {@code memory:a}. */
    String name();

    MacAddress mac();

    /** The link MTU: the largest Ethernet payload, so a frame may be {@code mtu() + 14} bytes long. */
    int mtu();

    /** Where to allocate frames for {@link #send}. */
    default ByteBufAllocator alloc() {
        return PooledByteBufAllocator.DEFAULT;
    }

    /**
     * A buffer for one frame of up to {@code capacity} bytes, to fill and pass to {@link #send}. It may
     * be memory the link sends from directly (AF_PACKET's send batch, for replies made on its receive
     * thread): send it, or release it, before asking for the next one.
     */
    default ByteBuf newFrame(int capacity) {
        return alloc().buffer(capacity);
    }

    /** Starts delivering received AoE frames to the handler on the link's own thread. Call once. */
    void start(FrameHandler handler);

    /**
     * Sends one frame. The link takes ownership of the buffer and releases it, also on failure.
     *
     * @throws LinkException when the frame cannot be handed to the interface
     */
    void send(ByteBuf frame);

    /**
     * Sends frames in order, as one batch where the link can (one system call for all of them on
     * AF_PACKET). Takes ownership of every buffer, also on failure.
     *
     * @throws LinkException when a frame cannot be handed to the interface
     */
    default void sendAll(java.util.List<ByteBuf> frames) {
        LinkException failure = null;
        for (ByteBuf frame : frames) {
            try {
                send(frame);
            } catch (LinkException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * A reusable way to build frames in place and send them together, for one sender (one device's
     * engine, say): get it once, then {@code open()}, {@code frame()}/{@code commit()} per frame,
     * {@code close()}. The default sends each frame as it is committed.
     */
    default FrameBatch batch() {
        return new FrameBatch() {
            @Override
            public void open() {
            }

            @Override
            public ByteBuf frame(int capacity) {
                return newFrame(capacity);
            }

            @Override
            public void commit(ByteBuf frame) {
                send(frame);
            }

            @Override
            public void close() {
            }
        };
    }

    /** Stops the receive thread, waits for it and frees the interface. Idempotent. */
    @Override
    void close();
}
