package dev.aoe.bench.veth;

import dev.aoe.ethernet.Ethernet;
import dev.aoe.frame.AtaFlyweight;
import dev.aoe.link.FrameBatch;
import dev.aoe.link.afpacket.AfPacketLink;
import io.netty.buffer.ByteBuf;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
 * The raw cost of moving frames across the veth pair with AF_PACKET, with a receiver reading every
 * frame ({@link Sink} in the namespace, reading its ring as a target does): frames built in place in
 * {@code sendmmsg} batches of 64, either full-size (MTU + 14 bytes, what a target sends for reads)
 * or request-size (60 bytes, what an initiator sends for reads). The score is frames offered per
 * second; the side results hold the frames the receiver read per second, the sender's CPU seconds
 * per frame (its thread, user plus system: the kernel delivers into the receiver's ring in the
 * sender's context) and the receiver's. These are the floors the target's and the initiator's CPU
 * per frame are compared with.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class VethCeilingBenchmark {

    private static final int BATCH = 64;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    @Param({"1500", "9000"})
    int mtu;

    @Param({"full", "request"})
    String frame;

    private VethPair pair;
    private AfPacketLink link;
    private FrameBatch batch;
    private int length;
    private Process sink;
    private BufferedReader sinkOut;
    private PrintStream sinkIn;
    private long sentAtStart;
    private long sent;
    private long senderCpuAtStart;
    private double[] sinkAtStart;
    private long measuredSent;
    private long measuredReceived;
    private long measuredSenderCpuNanos;
    private double measuredSinkCpu;
    private long measuredNanos;
    private long startNanos;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        pair = VethPair.create(mtu);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Sink.class.getName(), pair.inside()));
        sink = new ProcessBuilder(pair.exec(command)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        sinkOut = new BufferedReader(new InputStreamReader(sink.getInputStream(), StandardCharsets.UTF_8));
        sinkIn = new PrintStream(sink.getOutputStream(), true, StandardCharsets.UTF_8);
        if (!"ready".equals(sinkOut.readLine())) {
            throw new IllegalStateException("the sink did not start");
        }
        link = AfPacketLink.open(pair.outside());
        batch = link.batch();
        length = frame.equals("full") ? Ethernet.maxFrameLength(mtu) : Ethernet.MIN_FRAME_LENGTH;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void send() {
        batch.open();
        try {
            for (int i = 0; i < BATCH; i++) {
                ByteBuf f = batch.frame(length);
                int start = f.writerIndex();
                new AtaFlyweight().wrap(f, start).header(-1L >>> 16, link.mac().value(), true, 0, 1, 0, i);
                f.writerIndex(start + length);
                batch.commit(f);
            }
        } finally {
            batch.close();
        }
        sent += BATCH;
    }

    private double[] sinkFigures() throws IOException {
        sinkIn.println();
        String[] f = sinkOut.readLine().split(" ");
        return new double[] {Long.parseLong(f[0]), Double.parseDouble(f[1])};
    }

    @Setup(Level.Iteration)
    public void beforeIteration() throws Exception {
        sinkAtStart = sinkFigures();
        sentAtStart = sent;
        senderCpuAtStart = THREADS.getCurrentThreadCpuTime();
        startNanos = System.nanoTime();
    }

    @TearDown(Level.Iteration)
    public void afterIteration(IterationParams iteration) throws Exception {
        long nanos = System.nanoTime() - startNanos;
        long cpu = THREADS.getCurrentThreadCpuTime() - senderCpuAtStart;
        Thread.sleep(50);   // the last frames reach the sink's ring
        double[] now = sinkFigures();
        if (iteration.getType() == IterationType.MEASUREMENT) {
            measuredSent += sent - sentAtStart;
            measuredReceived += (long) (now[0] - sinkAtStart[0]);
            measuredSinkCpu += now[1] - sinkAtStart[1];
            measuredSenderCpuNanos += cpu;
            measuredNanos += nanos;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown(BenchmarkParams benchmark) throws Exception {
        try {
            SideResults.append(benchmark, "carriedFramesPerSecond", measuredReceived * 1e9 / Math.max(1, measuredNanos),
                    "senderCpuSecondsPerFrame", measuredSenderCpuNanos / 1e9 / Math.max(1, measuredSent),
                    "receiverCpuSecondsPerFrame", measuredSinkCpu / Math.max(1, measuredReceived),
                    "framesSent", measuredSent, "framesReceived", measuredReceived);
        } finally {
            link.close();
            sinkIn.close();
            sink.waitFor(10, TimeUnit.SECONDS);
            sink.destroyForcibly();
            pair.close();
        }
    }
}
