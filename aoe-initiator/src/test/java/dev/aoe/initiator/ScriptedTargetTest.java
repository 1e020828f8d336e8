package dev.aoe.initiator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aoe.ata.AtaCommands;
import dev.aoe.ata.IdentifyData;
import dev.aoe.ethernet.MacAddress;
import dev.aoe.frame.AoeCommand;
import dev.aoe.frame.AoeFrame;
import dev.aoe.frame.AoeHeader;
import dev.aoe.frame.AtaArg;
import dev.aoe.frame.ConfigArg;
import dev.aoe.frame.FrameCodec;
import dev.aoe.frame.HeaderFlyweight;
import dev.aoe.frame.Octets;
import dev.aoe.initiator.AoeIoException.AtaErrorException;
import dev.aoe.initiator.AoeIoException.BadResponseException;
import dev.aoe.link.FrameHandler;
import dev.aoe.link.FrameLink;
import dev.aoe.link.memory.Faults;
import dev.aoe.link.memory.MemoryLink;
import dev.aoe.link.memory.MemorySwitch;
import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The initiator against a target scripted with the core codec: answers a correct target never gives
 * (short data, ATA errors), and a view of what the initiator keeps in flight.
 */
class ScriptedTargetTest {

    static final Duration WAIT = Duration.ofSeconds(5);
    static final int SECTORS = 4096;

    final MemorySwitch network = new MemorySwitch(3);
    final MemoryLink targetLink = network.connect("scripted", MacAddress.parse("02:00:00:00:00:05"), 1500);
    /** ATA requests the initiator sent and has not yet seen answered, counted at its link. */
    final AtomicInteger outstanding = new AtomicInteger();
    final AtomicInteger maxOutstanding = new AtomicInteger();
    /** Tags of requests the target holds (its answer not yet sent). */
    final Set<Integer> tagsInFlight = new HashSet<>();
    volatile boolean duplicateTagSeen;
    /** Builds the ATA answer to a request; null answers normally with zero-filled data. */
    volatile Function<AoeFrame, AtaArg> ataAnswer = r -> null;

    @AfterEach
    void tearDown() {
        network.close();
    }

    /** Starts the scripted target: e0.1, buffer count {@code bufferCount}, replies after {@code delay}. */
    void start(int bufferCount, Duration delay) {
        targetLink.faults(Faults.NONE.withDelay(delay));
        targetLink.start(frame -> {
            AoeFrame request = FrameCodec.decode(frame);
            AoeHeader h = request.header();
            if (h.response()) {
                return;
            }
            Object arg;
            if (h.command() == AoeCommand.QUERY_CONFIG.code()) {
                arg = new ConfigArg(bufferCount, 1, 2, 1, 0, Octets.EMPTY);
            } else {
                AtaArg ata = (AtaArg) request.arg();
                synchronized (tagsInFlight) {
                    duplicateTagSeen |= !tagsInFlight.add(h.tag());
                }
                AtaArg custom = ataAnswer.apply(request);
                if (custom != null) {
                    arg = custom;
                } else if (ata.cmdStatus() == AtaCommands.IDENTIFY_DEVICE) {
                    arg = new AtaArg(0, 0, 0, 0x40, 0, Octets.copyOf(IdentifyData.builder().sectors(SECTORS).build().toBytes()));
                } else {
                    int data = ata.write() ? 0 : ata.sectorCount() * 512;
                    arg = new AtaArg(ata.aflags(), 0, 0, 0x40, ata.lba(), Octets.copyOf(new byte[data]));
                }
            }
            AoeFrame reply = new AoeFrame(request.source(), targetLink.mac(), h.toResponse(0, 1), (dev.aoe.frame.Arg) arg);
            if (h.command() == AoeCommand.ATA.code()) {
                synchronized (tagsInFlight) {
                    tagsInFlight.remove(h.tag());
                }
            }
            targetLink.send(FrameCodec.encode(reply, targetLink.alloc()));
        });
    }

    Initiator initiator() {
        return initiator(network.connect("host", MacAddress.parse("02:00:00:00:00:0a"), 1500), Initiator.DEFAULT_MAX_OUTSTANDING);
    }

    /** An initiator whose link counts the ATA requests it has sent and not yet seen answered. */
    Initiator initiator(MemoryLink port, int cap) {
        FrameLink counting = new FrameLink() {
            @Override public String name() { return port.name(); }
            @Override public MacAddress mac() { return port.mac(); }
            @Override public int mtu() { return port.mtu(); }
            @Override public void close() { port.close(); }

            @Override
            public void start(FrameHandler handler) {
                port.start(frame -> {
                    if (HeaderFlyweight.command(frame) == 0 && HeaderFlyweight.isResponse(frame)) {
                        outstanding.decrementAndGet();
                    }
                    handler.onFrame(frame);
                });
            }

            @Override
            public void send(ByteBuf frame) {
                if (HeaderFlyweight.command(frame) == 0) {
                    maxOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
                }
                port.send(frame);
            }
        };
        return Initiator.builder().link(counting).deadTime(WAIT).maxOutstanding(cap).build();
    }

    @Test
    void neverExceedsTheTargetsBufferCountAndReachesIt() throws Exception {
        start(6, Duration.ofMillis(2));   // replies held back: the initiator's window fills up
        try (Initiator initiator = initiator()) {
            AoeDevice disk = initiator.open(new AoeAddress(0, 1), WAIT);
            disk.read(0, ByteBuffer.allocate(400 * 512));
            assertThat(maxOutstanding.get()).isEqualTo(6);
            assertThat(duplicateTagSeen).as("tags are unique among outstanding requests").isFalse();
        }
    }

    @Test
    void theLocalCapLimitsTheWindowToo() throws Exception {
        start(64, Duration.ofMillis(2));
        try (Initiator initiator = initiator(network.connect("host", MacAddress.parse("02:00:00:00:00:0b"), 1500), 3)) {
            initiator.open(new AoeAddress(0, 1), WAIT).read(0, ByteBuffer.allocate(200 * 512));
            assertThat(maxOutstanding.get()).isEqualTo(3);
        }
    }

    @Test
    void aShortReadResponseFailsTheRequestAndLeavesTheBufferAlone() throws Exception {
        start(16, Duration.ZERO);
        try (Initiator initiator = initiator()) {
            AoeDevice disk = initiator.open(new AoeAddress(0, 1), WAIT);
            ataAnswer = r -> new AtaArg(0, 0, 0, 0x40, 0, Octets.copyOf(new byte[512]));   // one sector where two were asked
            byte[] buffer = new byte[1024];
            Arrays.fill(buffer, (byte) 7);
            assertThatThrownBy(() -> disk.read(0, buffer, 0, 1024)).isInstanceOf(BadResponseException.class)
                    .hasMessage("e0.1: READ SECTORS EXT of 2 sectors at 0: response carries 512 data bytes, 1024 expected");
            assertThat(buffer).containsOnly(7);
        }
    }

    @Test
    void ataErrorStatusIsATypedException() throws Exception {
        start(16, Duration.ZERO);
        try (Initiator initiator = initiator()) {
            AoeDevice disk = initiator.open(new AoeAddress(0, 1), WAIT);
            ataAnswer = r -> new AtaArg(0, AtaCommands.ERROR_UNC, 2, 0x41, 0, Octets.EMPTY);
            assertThatThrownBy(() -> disk.write(0, new byte[1024], 0, 1024)).isInstanceOf(AtaErrorException.class)
                    .hasMessage("e0.1: WRITE SECTORS EXT of 2 sectors at 0 failed: ATA status 0x41, error 0x40 (UNC: media error)")
                    .satisfies(e -> assertThat(((AtaErrorException) e).error()).isEqualTo(AtaCommands.ERROR_UNC));
        }
    }

    @Test
    void flushUsesTheFlushTheTargetAdvertises() throws Exception {
        start(16, Duration.ZERO);
        AtomicInteger opcode = new AtomicInteger();
        try (Initiator initiator = initiator()) {
            AoeDevice disk = initiator.open(new AoeAddress(0, 1), WAIT);
            ataAnswer = r -> {
                opcode.set(((AtaArg) r.arg()).cmdStatus());
                return new AtaArg(0, 0, 0, 0x40, 0, Octets.EMPTY);
            };
            disk.flush();
            assertThat(opcode.get()).isEqualTo(AtaCommands.FLUSH_CACHE_EXT);
        }
    }

    @Test
    void closingTheDeviceFailsWhatIsInFlight() throws Exception {
        start(16, Duration.ofSeconds(30));   // answers arrive far too late
        targetLink.faults(Faults.NONE);
        try (Initiator initiator = initiator()) {
            AoeDevice disk = initiator.open(new AoeAddress(0, 1), WAIT);
            targetLink.faults(Faults.NONE.withDelay(Duration.ofSeconds(30)));
            var pending = disk.readAsync(0, ByteBuffer.allocate(512));
            disk.close();
            assertThatThrownBy(() -> AoeDevice.await(pending)).hasMessage("e0.1 was closed");
        }
    }

}
