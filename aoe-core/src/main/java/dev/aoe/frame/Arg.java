package dev.aoe.frame;

import io.netty.buffer.ByteBuf;

/** The command-specific argument that follows the AoE header: one record per AoEr11 command. */
public sealed interface Arg permits AtaArg, ConfigArg, MacMaskArg, ReserveReleaseArg, RawArg {

    /** Bytes this argument occupies on the wire, before Ethernet padding. */
    int encodedLength();

    /** Writes the argument at the buffer's writer index. */
    void encode(ByteBuf out);
}
