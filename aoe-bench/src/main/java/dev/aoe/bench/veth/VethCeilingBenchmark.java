package dev.aoe.bench.veth;

import dev.aoe.link.afpacket.AfPacketLink;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * The raw one-way frame rate of the veth pair with AF_PACKET: full-size AoE frames (MTU + 14 bytes)
 * sent in {@code sendmmsg} batches of 64 into the namespace. The score is frames offered per second;
 * the frames the far end received per second (its rx_packets counter) go to the side results as
 * {@code carriedFramesPerSecond}: the ceiling the initiator-and-target figures are compared with.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 1, time = 2)
@Measurement(iterations = 3, time = 1)
public class VethCeilingBenchmark {

    private static final int BATCH = 64;

    @Param({"1500", "9000"})
    int mtu;

    private VethPair pair;
    private AfPacketLink link;
    private ByteBuf template;
    private final List<ByteBuf> batch = new ArrayList<>(BATCH);
    private long rxAtStart;
    private long startNanos;
    private long carried;
    private long measuredNanos;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        pair = VethPair.create(mtu);
        link = AfPacketLink.open(pair.outside());
        template = link.alloc().directBuffer(mtu + 14);
        template.writeBytes(new byte[] {-1, -1, -1, -1, -1, -1});
        link.mac().writeTo(template);
        template.writeShort(0x88A2).writeByte(0x18).writeZero(mtu - 1);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void sendFullFrames() {
        batch.clear();
        for (int i = 0; i < BATCH; i++) {
            batch.add(template.retainedDuplicate());
        }
        link.sendAll(batch);
    }

    @Setup(Level.Iteration)
    public void beforeIteration() throws Exception {
        rxAtStart = pair.insideRxPackets();
        startNanos = System.nanoTime();
    }

    @TearDown(Level.Iteration)
    public void afterIteration(IterationParams iteration) throws Exception {
        long nanos = System.nanoTime() - startNanos;
        long received = pair.insideRxPackets() - rxAtStart;
        if (iteration.getType() == IterationType.MEASUREMENT) {
            carried += received;
            measuredNanos += nanos;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown(BenchmarkParams benchmark) throws Exception {
        try {
            SideResults.append(benchmark, "carriedFramesPerSecond", carried * 1e9 / Math.max(1, measuredNanos));
        } finally {
            template.release();
            link.close();
            pair.close();
        }
    }
}
