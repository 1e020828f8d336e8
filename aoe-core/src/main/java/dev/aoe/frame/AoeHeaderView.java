package dev.aoe.frame;

import io.netty.buffer.ByteBuf;

/**
 * Named offsets of the Ethernet and AoE headers, counted from the first byte of the Ethernet frame,
 * and static peeks that read one field without decoding or allocating: what a receive loop uses to
 * filter frames before it decodes them. Callers check {@link #isAoe} (which checks the length) first.
 */
public final class AoeHeaderView {

    public static final int DESTINATION_OFFSET = 0;
    public static final int SOURCE_OFFSET = 6;
    public static final int ETHERTYPE_OFFSET = 12;
    public static final int VER_FLAGS_OFFSET = 14;
    public static final int ERROR_OFFSET = 15;
    public static final int MAJOR_OFFSET = 16;
    public static final int MINOR_OFFSET = 18;
    public static final int COMMAND_OFFSET = 19;
    public static final int TAG_OFFSET = 20;
    /** Ethernet header plus AoE header; the command's argument starts here. */
    public static final int LENGTH = TAG_OFFSET + Integer.BYTES;
    public static final int ARG_OFFSET = LENGTH;

    public static final int ETHERTYPE_AOE = 0x88A2;
    /** Ethernet's minimum frame without the FCS; shorter frames are padded with zeros. */
    public static final int MIN_FRAME_LENGTH = 60;
    public static final int ETHERNET_HEADER_LENGTH = ETHERTYPE_OFFSET + Short.BYTES;

    private AoeHeaderView() {
    }

    /** True when the readable bytes hold at least a whole AoE header with the AoE EtherType. */
    public static boolean isAoe(ByteBuf frame) {
        return frame.readableBytes() >= LENGTH && etherType(frame) == ETHERTYPE_AOE;
    }

    public static int etherType(ByteBuf frame) {
        return frame.getUnsignedShort(frame.readerIndex() + ETHERTYPE_OFFSET);
    }

    public static int version(ByteBuf frame) {
        return frame.getUnsignedByte(frame.readerIndex() + VER_FLAGS_OFFSET) >>> 4;
    }

    public static boolean isResponse(ByteBuf frame) {
        return (frame.getByte(frame.readerIndex() + VER_FLAGS_OFFSET) & AoeHeader.FLAG_RESPONSE) != 0;
    }

    public static boolean isError(ByteBuf frame) {
        return (frame.getByte(frame.readerIndex() + VER_FLAGS_OFFSET) & AoeHeader.FLAG_ERROR) != 0;
    }

    public static int errorCode(ByteBuf frame) {
        return frame.getUnsignedByte(frame.readerIndex() + ERROR_OFFSET);
    }

    public static int major(ByteBuf frame) {
        return frame.getUnsignedShort(frame.readerIndex() + MAJOR_OFFSET);
    }

    public static int minor(ByteBuf frame) {
        return frame.getUnsignedByte(frame.readerIndex() + MINOR_OFFSET);
    }

    public static int command(ByteBuf frame) {
        return frame.getUnsignedByte(frame.readerIndex() + COMMAND_OFFSET);
    }

    public static int tag(ByteBuf frame) {
        return frame.getInt(frame.readerIndex() + TAG_OFFSET);
    }

    /** Destination MAC as a long, to compare without allocating a {@code MacAddress}. */
    public static long destination(ByteBuf frame) {
        return macBits(frame, frame.readerIndex() + DESTINATION_OFFSET);
    }

    public static long source(ByteBuf frame) {
        return macBits(frame, frame.readerIndex() + SOURCE_OFFSET);
    }

    private static long macBits(ByteBuf frame, int index) {
        return ((long) frame.getUnsignedShort(index) << 32) | frame.getUnsignedInt(index + 2);
    }
}
