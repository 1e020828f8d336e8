package dev.aoe.link;

import dev.aoe.ethernet.Ethernet;
import dev.aoe.frame.HeaderFlyweight;
import dev.aoe.link.spec.LinkKind;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The far end of {@link LiveLinkIT}, run in another network namespace with the link kind named by
 * its first argument and the interface by its second: answers every AoE request by
 * sending it back as a response (MACs swapped, R set). Prints READY once listening; stops cleanly
 * when its standard input closes, printing how many frames it echoed.
 */
public final class EchoPeer {

    public static void main(String[] args) throws IOException {
        AtomicLong echoed = new AtomicLong();
        try (FrameLink link = LinkKind.of(args[0]).open(args[1])) {
            link.start(frame -> {
                if (!HeaderFlyweight.isAoe(frame) || HeaderFlyweight.isResponse(frame)) {
                    return;
                }
                int length = frame.readableBytes();
                ByteBuf reply = link.newFrame(length);
                reply.writeBytes(frame, frame.readerIndex(), length);
                reply.setBytes(Ethernet.DESTINATION_OFFSET, frame, frame.readerIndex() + Ethernet.SOURCE_OFFSET, 6);
                link.mac().write(reply, Ethernet.SOURCE_OFFSET);
                reply.setByte(HeaderFlyweight.VER_FLAGS_OFFSET,
                        reply.getByte(HeaderFlyweight.VER_FLAGS_OFFSET) | HeaderFlyweight.FLAG_RESPONSE);
                link.send(reply);
                echoed.incrementAndGet();
            });
            System.out.println("READY " + link.mac() + " " + link.mtu());
            System.out.flush();
            while (System.in.read() >= 0) {
                // wait for the parent to close our stdin
            }
        }
        System.out.println("CLOSED echoed=" + echoed.get());
    }
}
