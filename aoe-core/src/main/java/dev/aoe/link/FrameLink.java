package dev.aoe.link;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

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
        return ByteBufAllocator.DEFAULT;
    }

    /** Starts delivering received AoE frames to the handler on the link's own thread. Call once. */
    void start(FrameHandler handler);

    /**
     * Sends one frame. The link takes ownership of the buffer and releases it, also on failure.
     *
     * @throws LinkException when the frame cannot be handed to the interface
     */
    void send(ByteBuf frame);

    /** Stops the receive thread, waits for it and frees the interface. Idempotent. */
    @Override
    void close();
}
