package dev.aoe.bench.initiator;

import dev.aoe.ata.AtaCommands;
import dev.aoe.ata.IdentifyData;
import dev.aoe.ethernet.Ethernet;
import dev.aoe.ethernet.MacAddress;
import dev.aoe.frame.AoeCommand;
import dev.aoe.frame.AtaFlyweight;
import dev.aoe.frame.ConfigFlyweight;
import dev.aoe.frame.HeaderFlyweight;
import dev.aoe.initiator.AoeAddress;
import dev.aoe.initiator.AoeDevice;
import dev.aoe.initiator.Initiator;
import dev.aoe.link.FrameBatch;
import dev.aoe.link.FrameHandler;
import dev.aoe.link.FrameLink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The initiator's request path alone: {@link AoeDevice#read} and {@link AoeDevice#write} of
 * {@value #FRAMES} frames as one request each, against a link that answers every frame at once from
 * a thread of its own (as a receive thread would) out of preallocated buffers. Run with
 * {@code -prof gc}: B/op is what the engine allocates per frame (the one future per request,
 * spread over {@value #FRAMES} frames, is well under 1 B/op).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class InitiatorPathBenchmark {

    static final int FRAMES = 16_384;
    private static final MacAddress TARGET = MacAddress.parse("02:00:00:00:00:01");
    private static final MacAddress CLIENT = MacAddress.parse("02:00:00:00:00:02");

    @Param({"1500", "9000"})
    int mtu;

    private AnsweringLink link;
    private Initiator initiator;
    private AoeDevice disk;
    private ByteBuffer buffer;

    @Setup
    public void setUp() throws Exception {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        link = new AnsweringLink(mtu);
        initiator = Initiator.builder().link(link).deadTime(Duration.ofSeconds(10)).build();
        disk = initiator.open(new AoeAddress(0, 1), Duration.ofSeconds(5));
        buffer = ByteBuffer.allocateDirect(FRAMES * disk.sectorsPerFrame() * AoeDevice.SECTOR_SIZE);
    }

    @TearDown
    public void tearDown() {
        initiator.close();
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public int read() throws Exception {
        disk.read(0, buffer.clear());
        return buffer.position();
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public int write() throws Exception {
        disk.write(0, buffer.clear());
        return buffer.position();
    }

    /**
     * A target in a link: every request sent is answered into a ring of preallocated frames, which a
     * thread of the link hands to the initiator. Config queries, IDENTIFY, reads and writes.
     */
    static final class AnsweringLink implements FrameLink {
        private static final int RING = 1024;

        private final int mtu;
        private final ByteBuf[] ring = new ByteBuf[RING];
        private final AtaFlyweight answer = new AtaFlyweight();
        private final ConfigFlyweight config = new ConfigFlyweight();
        private final byte[] identify = IdentifyData.builder().sectors(1L << 30).serial("bench").model("bench").build()
                .toBytes();
        private long produced;
        private volatile long published;
        private volatile long consumed;
        private volatile boolean closed;
        private Thread receiver;

        AnsweringLink(int mtu) {
            this.mtu = mtu;
            for (int i = 0; i < RING; i++) {
                ring[i] = Unpooled.directBuffer(Ethernet.maxFrameLength(mtu));
            }
        }

        @Override public String name() { return "answering"; }
        @Override public MacAddress mac() { return CLIENT; }
        @Override public int mtu() { return mtu; }

        @Override
        public void start(FrameHandler handler) {
            receiver = new FastThreadLocalThread(() -> {
                while (!closed) {
                    long next = consumed;
                    if (next == published) {
                        LockSupport.parkNanos(10_000);
                        continue;
                    }
                    handler.onFrame(ring[(int) (next % RING)]);
                    consumed = next + 1;
                }
            }, "answering-link");
            receiver.setDaemon(true);
            receiver.start();
        }

        /** Requests are built in one scratch frame (as in AF_PACKET's send batch) and answered at commit. */
        @Override
        public FrameBatch batch() {
            ByteBuf scratch = Unpooled.unreleasableBuffer(Unpooled.directBuffer(Ethernet.maxFrameLength(mtu)));
            return new FrameBatch() {
                @Override
                public void open() {
                }

                @Override
                public ByteBuf frame(int capacity) {
                    return scratch.clear();
                }

                @Override
                public void commit(ByteBuf frame) {
                    send(frame);
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public synchronized void send(ByteBuf request) {
            try {
                while (produced - consumed >= RING) {
                    Thread.onSpinWait();
                }
                ByteBuf out = ring[(int) (produced % RING)].clear();
                int command = HeaderFlyweight.command(request);
                int sectors = command == AoeCommand.ATA.code() ? AtaFlyweight.sectorCount(request) : 0;
                int op = command == AoeCommand.ATA.code() ? AtaFlyweight.cmdStatus(request) : -1;
                boolean data = op == AtaCommands.READ_SECTORS_EXT || op == AtaCommands.IDENTIFY_DEVICE;
                int length = command == AoeCommand.ATA.code()
                        ? AtaFlyweight.frameLength(data ? sectors : 0) : ConfigFlyweight.CONFIG_OFFSET;
                out.writerIndex(Math.max(length, Ethernet.MIN_FRAME_LENGTH));
                answer.wrap(out, 0).header(CLIENT.value(), TARGET.value(), true, 0, 1, command,
                        HeaderFlyweight.tag(request));
                if (command == AoeCommand.QUERY_CONFIG.code()) {
                    config.wrap(out, 0).bufferCount(64).firmwareVersion(1).sectorCount(AtaFlyweight.sectorsPerFrame(mtu))
                            .versionCcmd(1, 0).configLength(0);
                } else {
                    answer.registers(AtaFlyweight.aflags(request), 0, 0, AtaCommands.STATUS_DRDY, AtaFlyweight.lba(request));
                    if (op == AtaCommands.IDENTIFY_DEVICE) {
                        out.setBytes(AtaFlyweight.DATA_OFFSET, identify);
                    }
                }
                published = ++produced;
            } finally {
                request.release();
            }
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
