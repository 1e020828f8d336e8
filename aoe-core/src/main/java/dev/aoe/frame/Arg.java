package dev.aoe.frame;

import io.netty.buffer.ByteBuf;

/** The command-specific argument that follows the AoE header: one record per AoEr11 command. */
public sealed interface Arg permits AtaArg, ConfigArg, MacMaskArg, ReserveReleaseArg, RawArg {

    /** Bytes this argument occupies on the wire, before Ethernet padding. */
    int encodedLength();

    /**
     * Writes the argument through its flyweight into the frame starting at {@code frameOffset}; the
     * buffer has the capacity, and its indexes do not move.
     */
    void encode(ByteBuf frame, int frameOffset);
}
