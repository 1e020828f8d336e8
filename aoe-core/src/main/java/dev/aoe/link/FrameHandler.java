package dev.aoe.link;

import io.netty.buffer.ByteBuf;

/** Receives frames from a {@link FrameLink}. */
@FunctionalInterface
public interface FrameHandler {

    /**
     * One received frame, its readable bytes exactly what arrived. The buffer belongs to the link and
     * is valid only during the call: {@code retain()} it (and release later) to keep it.
     */
    void onFrame(ByteBuf frame);
}
