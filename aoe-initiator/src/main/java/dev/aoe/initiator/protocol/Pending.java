package dev.aoe.initiator.protocol;

import dev.aoe.link.FrameLink;
import io.netty.buffer.ByteBuf;

/** Something waiting for the response to a tag: an ATA frame, a control request, a discovery round. */
public interface Pending {

    /**
     * A response carrying this pending's tag arrived on {@code link}. The frame is valid only during the
     * call. Implementations remove their tag from the {@link TagSpace} when one answer is all they take.
     */
    void onResponse(int tag, FrameLink link, ByteBuf frame);
}
