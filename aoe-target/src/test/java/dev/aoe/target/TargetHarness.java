package dev.aoe.target;

import dev.aoe.ethernet.MacAddress;
import dev.aoe.frame.AoeCommand;
import dev.aoe.frame.AoeFrame;
import dev.aoe.frame.AoeHeader;
import dev.aoe.frame.Arg;
import dev.aoe.frame.AtaArg;
import dev.aoe.frame.ConfigArg;
import dev.aoe.frame.FrameCodec;
import dev.aoe.frame.Octets;
import dev.aoe.link.memory.MemoryLink;
import dev.aoe.link.memory.MemorySwitch;
import dev.aoe.target.store.BlockStore;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A target on a {@link MemorySwitch} and initiator ports that speak to it with the core codec.
 * "No reply" is asserted without waiting: a target answers in order on one link, so a probe sent
 * after the request must be answered first.
 */
final class TargetHarness implements AutoCloseable {

    static final MacAddress TARGET_MAC = MacAddress.parse("02:00:00:00:00:01");

    final MemorySwitch network = new MemorySwitch(7);
    final MemoryLink targetLink;
    final Target target;
    final ExecutorService io = Executors.newFixedThreadPool(8);
    private final AtomicInteger tags = new AtomicInteger(1);

    TargetHarness(int mtu, List<Export> exports) {
        targetLink = network.connect("target", TARGET_MAC, mtu);
        target = new Target(targetLink, exports, io);
    }

    /** An initiator port; frames it receives are kept raw (bytes) and decoded. */
    final class Port {
        final MemoryLink link;
        final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();

        Port(String name, MacAddress mac) {
            link = network.connect(name, mac, targetLink.mtu());
            link.start(frame -> received.add(ByteBufUtil.getBytes(frame)));
        }

        int send(MacAddress to, int major, int minor, AoeCommand command, Arg arg) {
            int tag = tags.getAndIncrement();
            send(new AoeFrame(to, link.mac(), AoeHeader.request(major, minor, command, tag), arg));
            return tag;
        }

        void send(AoeFrame frame) {
            link.send(FrameCodec.encode(frame, link.alloc()));
        }

        void sendRaw(ByteBuf frame) {
            link.send(frame);
        }

        byte[] nextRaw() throws InterruptedException {
            byte[] b = received.poll(10, TimeUnit.SECONDS);
            if (b == null) {
                throw new AssertionError("no reply within 10 s");
            }
            return b;
        }

        AoeFrame next() throws InterruptedException {
            return FrameCodec.decode(Unpooled.wrappedBuffer(nextRaw()));
        }

        /** Sends a request and returns the reply to it. */
        AoeFrame call(int major, int minor, AoeCommand command, Arg arg) throws InterruptedException {
            int tag = send(TARGET_MAC, major, minor, command, arg);
            AoeFrame reply = next();
            if (reply.header().tag() != tag) {
                throw new AssertionError("expected the reply to tag " + tag + ", got " + reply);
            }
            return reply;
        }

        AoeFrame ata(int major, int minor, AtaArg arg) throws InterruptedException {
            return call(major, minor, AoeCommand.ATA, arg);
        }

        AoeFrame read(long lba, int sectors) throws InterruptedException {
            return ata(0, 1, AtaArg.command(0x24, true, lba, sectors));
        }

        AoeFrame write(long lba, byte[] data) throws InterruptedException {
            return ata(0, 1, AtaArg.write(0x34, true, false, lba, Octets.copyOf(data)));
        }

        /** Asserts that the request just sent got no reply: a later config read must be answered first. */
        void assertNoReplyTo(int tag) throws InterruptedException {
            Export first = target.exports().get(0);
            int probe = send(TARGET_MAC, first.shelf(), first.slot(), AoeCommand.QUERY_CONFIG, ConfigArg.read());
            AoeFrame reply = next();
            if (reply.header().tag() != probe) {
                throw new AssertionError("expected no reply to tag " + tag + " but got " + reply);
            }
        }
    }

    Port port(String name, String mac) {
        return new Port(name, MacAddress.parse(mac));
    }

    static Export export(int shelf, int slot, BlockStore store) {
        return new Export(shelf, slot, store, ExportState.inMemory(), Export.DEFAULT_BUFFER_COUNT, "host");
    }

    @Override
    /** Stops the network and the pool, and closes the exports' stores (releasing their file locks). */
    public void close() throws Exception {
        network.close();
        io.shutdown();
        io.awaitTermination(10, TimeUnit.SECONDS);
        for (Export export : target.exports()) {
            export.store().close();
        }
    }
}
