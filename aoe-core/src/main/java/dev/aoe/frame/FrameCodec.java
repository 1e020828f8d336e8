package dev.aoe.frame;

import dev.aoe.ethernet.Ethernet;
import dev.aoe.ethernet.MacAddress;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Encodes and decodes whole Ethernet frames carrying AoE, through the flyweights. Decoding reads only
 * the bytes it is given (the buffer's readable bytes are the received frame), takes every size from
 * the fields, and raises {@link MalformedFrameException} for anything that does not fit; it never
 * moves the buffer's indexes.
 */
public final class FrameCodec {

    private FrameCodec() {
    }

    public static AoeFrame decode(ByteBuf received) {
        // A slice of exactly the received bytes: offsets are frame offsets, and nothing past the end is reachable.
        ByteBuf frame = received.slice(received.readerIndex(), received.readableBytes());
        Bounds.require(frame, "AoE header", 0, HeaderFlyweight.LENGTH);
        HeaderFlyweight h = new HeaderFlyweight().wrap(frame, 0);
        if (h.etherType() != Ethernet.ETHERTYPE_AOE) {
            throw new MalformedFrameException("EtherType", String.format("0x%04x at offset %d is not AoE (0x88a2)",
                    h.etherType(), Ethernet.ETHERTYPE_OFFSET), AoeError.BAD_ARGUMENT);
        }
        AoeHeader header = AoeHeader.of(h);
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
        return new AoeFrame(new MacAddress(h.destination()), new MacAddress(h.source()), header, arg);
    }

    /** Writes the frame at the writer index, zero-padded to Ethernet's 60-byte minimum. */
    public static void encode(AoeFrame frame, ByteBuf out) {
        int start = out.writerIndex();
        int length = frame.encodedLength();
        out.ensureWritable(Math.max(length, Ethernet.MIN_FRAME_LENGTH));
        frame.header().encode(new HeaderFlyweight().wrap(out, start), frame.destination(), frame.source());
        frame.arg().encode(out, start);
        out.writerIndex(start + length);
        Ethernet.pad(out, start);
    }

    public static ByteBuf encode(AoeFrame frame, ByteBufAllocator allocator) {
        ByteBuf out = allocator.buffer(Math.max(Ethernet.MIN_FRAME_LENGTH, frame.encodedLength()));
        encode(frame, out);
        return out;
    }
}
