package dev.aoe.target;

import dev.aoe.ethernet.Ethernet;
import dev.aoe.frame.AoeError;
import dev.aoe.frame.AtaFlyweight;
import dev.aoe.link.FrameLink;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Builds response frames in place, through the flyweights: the requester's MAC as destination, ours
 * as source, version 1, R set, the export's real shelf.slot (the request may have been broadcast),
 * the request's command and tag. Each serving thread has its own flyweight, so nothing is allocated.
 */
final class Responses {

    private static final FastThreadLocal<AtaFlyweight> FLYWEIGHT = new FastThreadLocal<>() {
        @Override
        protected AtaFlyweight initialValue() {
            return new AtaFlyweight();
        }
    };

    private Responses() {
    }

    /**
     * Starts a response with room for {@code argLength} bytes after the AoE header; returns the
     * thread's flyweight over it, its buffer's writer index at the argument.
     */
    static AtaFlyweight begin(FrameLink link, Export export, long to, int command, int tag, int argLength) {
        ByteBuf out = link.newFrame(Math.max(Ethernet.MIN_FRAME_LENGTH, AtaFlyweight.ARG_OFFSET + argLength));
        int start = out.writerIndex();
        AtaFlyweight f = FLYWEIGHT.get().wrap(out, start);
        f.header(to, link.mac().value(), true, export.shelf(), export.slot(), command, tag);
        out.writerIndex(start + AtaFlyweight.ARG_OFFSET);
        return f;
    }

    /** A bare error response: the header with E set and the error code. */
    static ByteBuf error(FrameLink link, Export export, long to, int command, int tag, AoeError error) {
        AtaFlyweight f = begin(link, export, to, command, tag, 0);
        f.error(error.code());
        return f.buffer();
    }

    /** Pads a response to Ethernet's minimum; returns it. */
    static ByteBuf finish(ByteBuf response) {
        Ethernet.pad(response, response.readerIndex());
        return response;
    }
}
