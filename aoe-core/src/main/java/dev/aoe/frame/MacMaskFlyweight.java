package dev.aoe.frame;

import dev.aoe.ethernet.MacAddress;
import io.netty.buffer.ByteBuf;

/**
 * A MAC Mask List frame (AoEr11 §3.3) as a read-write view: the headers, the argument, then its
 * directives of 8 bytes each.
 * <pre>
 *  24 reserved  25 mcmd (0 read, 1 edit)  26 merror  27 directive count  28 directives
 *  directive: +0 reserved  +1 dcmd (0 none, 1 add, 2 delete)  +2 MAC address (6 bytes)
 * </pre>
 */
public final class MacMaskFlyweight extends HeaderFlyweight {

    public static final int MCMD_OFFSET = ARG_OFFSET + 1;
    public static final int MERROR_OFFSET = MCMD_OFFSET + 1;
    public static final int DIR_COUNT_OFFSET = MERROR_OFFSET + 1;
    public static final int DIRECTIVES_OFFSET = DIR_COUNT_OFFSET + 1;
    /** The argument without directives: 4 bytes. */
    public static final int ARG_LENGTH = DIRECTIVES_OFFSET - ARG_OFFSET;
    public static final int DIRECTIVE_DCMD = 1;
    public static final int DIRECTIVE_MAC = 2;
    public static final int DIRECTIVE_LENGTH = DIRECTIVE_MAC + MacAddress.LENGTH;
    public static final int MAX_DIRECTIVES = 255;

    @Override
    public MacMaskFlyweight wrap(ByteBuf buf, int frameOffset) {
        super.wrap(buf, frameOffset);
        return this;
    }

    @Override
    public MacMaskFlyweight wrap(ByteBuf frame) {
        super.wrap(frame);
        return this;
    }

    public int mcmd() {
        return buffer.getUnsignedByte(offset + MCMD_OFFSET);
    }

    /** Sets mcmd and clears the reserved byte before it. */
    public MacMaskFlyweight mcmd(int value) {
        buffer.setByte(offset + ARG_OFFSET, 0);
        buffer.setByte(offset + MCMD_OFFSET, value);
        return this;
    }

    public int merror() {
        return buffer.getUnsignedByte(offset + MERROR_OFFSET);
    }

    public MacMaskFlyweight merror(int value) {
        buffer.setByte(offset + MERROR_OFFSET, value);
        return this;
    }

    public int dirCount() {
        return buffer.getUnsignedByte(offset + DIR_COUNT_OFFSET);
    }

    public MacMaskFlyweight dirCount(int value) {
        buffer.setByte(offset + DIR_COUNT_OFFSET, value);
        return this;
    }

    public int dcmd(int index) {
        return buffer.getUnsignedByte(directive(index) + DIRECTIVE_DCMD);
    }

    public long mac(int index) {
        return MacAddress.bits(buffer, directive(index) + DIRECTIVE_MAC);
    }

    /** Writes directive {@code index}: reserved byte, dcmd, MAC. */
    public MacMaskFlyweight directive(int index, int dcmd, long mac) {
        int at = directive(index);
        buffer.setByte(at, 0);
        buffer.setByte(at + DIRECTIVE_DCMD, dcmd);
        MacAddress.setBits(buffer, at + DIRECTIVE_MAC, mac);
        return this;
    }

    /** The buffer index of directive {@code index}. */
    public int directive(int index) {
        return offset + DIRECTIVES_OFFSET + index * DIRECTIVE_LENGTH;
    }
}
