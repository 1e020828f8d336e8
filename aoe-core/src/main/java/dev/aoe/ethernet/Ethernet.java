package dev.aoe.ethernet;

import io.netty.buffer.ByteBuf;

/**
 * Ethernet II framing as AoE uses it (IEEE 802.3 without the FCS), and static peeks at its fields.
 * <pre>
 *  0           6           12        14
 * +-----------+-----------+---------+----------------------------------+
 * |destination|  source   |EtherType| payload (46..MTU bytes)          |
 * +-----------+-----------+---------+----------------------------------+
 * </pre>
 * Peeks read at the buffer's reader index, which is where a received frame starts.
 */
public final class Ethernet {

    public static final int DESTINATION_OFFSET = 0;
    public static final int SOURCE_OFFSET = DESTINATION_OFFSET + MacAddress.LENGTH;
    public static final int ETHERTYPE_OFFSET = SOURCE_OFFSET + MacAddress.LENGTH;
    public static final int HEADER_LENGTH = ETHERTYPE_OFFSET + Short.BYTES;
    /** The shortest frame without the FCS; shorter frames are padded with zeros. */
    public static final int MIN_FRAME_LENGTH = 60;
    /** AoE's EtherType (AoEr11 §1). */
    public static final int ETHERTYPE_AOE = 0x88A2;

    private Ethernet() {
    }

    /** Destination MAC as a long, compared without allocating a {@link MacAddress}. */
    public static long destination(ByteBuf frame) {
        return MacAddress.bits(frame, frame.readerIndex() + DESTINATION_OFFSET);
    }

    public static long source(ByteBuf frame) {
        return MacAddress.bits(frame, frame.readerIndex() + SOURCE_OFFSET);
    }

    public static int etherType(ByteBuf frame) {
        return frame.getUnsignedShort(frame.readerIndex() + ETHERTYPE_OFFSET);
    }

    /** The largest frame an interface of this MTU carries (the MTU is the largest payload). */
    public static int maxFrameLength(int mtu) {
        return mtu + HEADER_LENGTH;
    }

    /** Zero-fills the frame that began at {@code start} up to the Ethernet minimum. */
    public static void pad(ByteBuf out, int start) {
        int length = out.writerIndex() - start;
        if (length < MIN_FRAME_LENGTH) {
            out.writeZero(MIN_FRAME_LENGTH - length);
        }
    }
}
