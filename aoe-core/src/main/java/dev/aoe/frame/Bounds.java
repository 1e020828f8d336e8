package dev.aoe.frame;

import io.netty.buffer.ByteBuf;

/** The one length check every decoder makes before it reads a field. Indexes are frame offsets. */
final class Bounds {

    private Bounds() {
    }

    static void require(ByteBuf frame, String field, int offset, int needed) {
        if (offset + needed > frame.capacity()) {
            throw MalformedFrameException.truncated(field, offset, needed, frame.capacity());
        }
    }
}
