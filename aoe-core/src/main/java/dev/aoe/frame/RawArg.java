package dev.aoe.frame;

import io.netty.buffer.ByteBuf;

/**
 * The argument of a command this codec does not interpret: unassigned and vendor commands (0xF0-0xFF).
 * Nothing gives its length, so it holds every byte after the header, Ethernet padding included;
 * a target answers such frames with error 1.
 */
public record RawArg(Octets bytes) implements Arg {

    @Override
    public int encodedLength() {
        return bytes.length();
    }

    @Override
    public void encode(ByteBuf frame, int frameOffset) {
        bytes.setTo(frame, frameOffset + HeaderFlyweight.ARG_OFFSET);
    }

    static RawArg decode(ByteBuf frame) {
        int arg = HeaderFlyweight.ARG_OFFSET;
        return new RawArg(Octets.read(frame, arg, frame.capacity() - arg));
    }

    @Override
    public String toString() {
        return "RAW " + bytes.length() + "B " + bytes;
    }
}
