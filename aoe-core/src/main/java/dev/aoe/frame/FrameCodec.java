package dev.aoe.frame;

import dev.aoe.link.MacAddress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Encodes and decodes whole Ethernet frames carrying AoE. Decoding reads only the bytes it is given
 * (the buffer's readable bytes are the received frame), takes every size from the fields, and raises
 * {@link MalformedFrameException} for anything that does not fit; it never moves the buffer's indexes.
 */
public final class FrameCodec {

    private FrameCodec() {
    }

    public static AoeFrame decode(ByteBuf received) {
        // A slice of exactly the received bytes: offsets are frame offsets, and nothing past the end is reachable.
        ByteBuf frame = received.slice(received.readerIndex(), received.readableBytes());
        Bounds.require(frame, "AoE header", 0, AoeHeaderView.LENGTH);
        int etherType = frame.getUnsignedShort(AoeHeaderView.ETHERTYPE_OFFSET);
        if (etherType != AoeHeaderView.ETHERTYPE_AOE) {
            throw new MalformedFrameException("EtherType", String.format("0x%04x at offset %d is not AoE (0x88a2)",
                    etherType, AoeHeaderView.ETHERTYPE_OFFSET), AoeError.BAD_ARGUMENT);
        }
        int verFlags = frame.getUnsignedByte(AoeHeaderView.VER_FLAGS_OFFSET);
        AoeHeader header = new AoeHeader(verFlags >>> 4,
                (verFlags & AoeHeader.FLAG_RESPONSE) != 0,
                (verFlags & AoeHeader.FLAG_ERROR) != 0,
                frame.getUnsignedByte(AoeHeaderView.ERROR_OFFSET),
                frame.getUnsignedShort(AoeHeaderView.MAJOR_OFFSET),
                frame.getUnsignedByte(AoeHeaderView.MINOR_OFFSET),
                frame.getUnsignedByte(AoeHeaderView.COMMAND_OFFSET),
                frame.getInt(AoeHeaderView.TAG_OFFSET));
        Class<? extends Arg> type = AoeFrame.argType(header);
        Arg arg;
        if (type == AtaArg.class) {
            arg = AtaArg.decode(frame, header.response());
        } else if (type == ConfigArg.class) {
            arg = ConfigArg.decode(frame);
        } else if (type == MacMaskArg.class) {
            arg = MacMaskArg.decode(frame, header.response());
        } else if (type == ReserveReleaseArg.class) {
            arg = ReserveReleaseArg.decode(frame);
        } else {
            arg = RawArg.decode(frame);
        }
        return new AoeFrame(MacAddress.read(frame, AoeHeaderView.DESTINATION_OFFSET),
                MacAddress.read(frame, AoeHeaderView.SOURCE_OFFSET), header, arg);
    }

    /** Writes the frame at the writer index, zero-padded to Ethernet's 60-byte minimum. */
    public static void encode(AoeFrame frame, ByteBuf out) {
        int start = out.writerIndex();
        frame.destination().writeTo(out);
        frame.source().writeTo(out);
        out.writeShort(AoeHeaderView.ETHERTYPE_AOE);
        AoeHeader h = frame.header();
        out.writeByte(h.verFlagsByte()).writeByte(h.errorCode()).writeShort(h.major()).writeByte(h.minor())
                .writeByte(h.command()).writeInt(h.tag());
        frame.arg().encode(out);
        pad(out, start);
    }

    public static ByteBuf encode(AoeFrame frame, ByteBufAllocator allocator) {
        ByteBuf out = allocator.buffer(Math.max(AoeHeaderView.MIN_FRAME_LENGTH, frame.encodedLength()));
        encode(frame, out);
        return out;
    }

    /** Zero-fills the frame that began at {@code start} up to the Ethernet minimum. */
    public static void pad(ByteBuf out, int start) {
        int length = out.writerIndex() - start;
        if (length < AoeHeaderView.MIN_FRAME_LENGTH) {
            out.writeZero(AoeHeaderView.MIN_FRAME_LENGTH - length);
        }
    }
}
