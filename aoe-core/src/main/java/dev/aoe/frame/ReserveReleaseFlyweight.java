package dev.aoe.frame;

import dev.aoe.ethernet.MacAddress;
import io.netty.buffer.ByteBuf;

/**
 * A Reserve/Release frame (AoEr11 §3.4) as a read-write view: the headers, the argument, the MACs.
 * <pre>
 *  24 rcmd (0 read, 1 set, 2 force set)  25 nmacs  26 MAC addresses, 6 bytes each
 * </pre>
 */
public final class ReserveReleaseFlyweight extends HeaderFlyweight {

    public static final int RCMD_OFFSET = ARG_OFFSET;
    public static final int NMACS_OFFSET = RCMD_OFFSET + 1;
    public static final int MACS_OFFSET = NMACS_OFFSET + 1;
    /** The argument without MACs: 2 bytes. */
    public static final int ARG_LENGTH = MACS_OFFSET - ARG_OFFSET;
    public static final int MAX_MACS = 255;

    @Override
    public ReserveReleaseFlyweight wrap(ByteBuf buf, int frameOffset) {
        super.wrap(buf, frameOffset);
        return this;
    }

    @Override
    public ReserveReleaseFlyweight wrap(ByteBuf frame) {
        super.wrap(frame);
        return this;
    }

    public int rcmd() {
        return buffer.getUnsignedByte(offset + RCMD_OFFSET);
    }

    public ReserveReleaseFlyweight rcmd(int value) {
        buffer.setByte(offset + RCMD_OFFSET, value);
        return this;
    }

    public int nmacs() {
        return buffer.getUnsignedByte(offset + NMACS_OFFSET);
    }

    public ReserveReleaseFlyweight nmacs(int value) {
        buffer.setByte(offset + NMACS_OFFSET, value);
        return this;
    }

    public long mac(int index) {
        return MacAddress.bits(buffer, offset + MACS_OFFSET + index * MacAddress.LENGTH);
    }

    public ReserveReleaseFlyweight mac(int index, long mac) {
        MacAddress.setBits(buffer, offset + MACS_OFFSET + index * MacAddress.LENGTH, mac);
        return this;
    }
}
