package dev.aoe.capture;

import dev.aoe.ethernet.MacAddress;
import dev.aoe.link.FrameHandler;
import dev.aoe.link.FrameLink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A {@link FrameLink} that records every frame it sends and receives in a pcap file ({@code --pcap FILE}).
 * The writer belongs to the caller (several links may share one); closing the link flushes it.
 */
public final class CapturingLink implements FrameLink {

    private final FrameLink inner;
    private final PcapFileWriter writer;

    public CapturingLink(FrameLink inner, PcapFileWriter writer) {
        this.inner = inner;
        this.writer = writer;
    }

    /** The link whose frames this one records. */
    public FrameLink inner() {
        return inner;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public MacAddress mac() {
        return inner.mac();
    }

    @Override
    public int mtu() {
        return inner.mtu();
    }

    @Override
    public ByteBufAllocator alloc() {
        return inner.alloc();
    }

    @Override
    public void start(FrameHandler handler) {
        inner.start(frame -> {
            writer.write(frame);
            handler.onFrame(frame);
        });
    }

    @Override
    public void send(ByteBuf frame) {
        writer.write(frame);
        inner.send(frame);
    }

    @Override
    public void close() {
        inner.close();
        writer.flush();
    }
}
