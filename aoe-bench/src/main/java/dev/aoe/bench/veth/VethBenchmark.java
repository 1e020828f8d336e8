package dev.aoe.bench.veth;

import dev.aoe.initiator.AoeAddress;
import dev.aoe.initiator.AoeDevice;
import dev.aoe.initiator.Initiator;
import dev.aoe.link.afpacket.AfPacketLink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
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
 * A target in a network namespace, across a veth pair, driven by our initiator on an AF_PACKET link:
 * {@code aoe-afpacket} and {@code aoe-pcap} are {@code ./aoe target} with that link, {@code vblade}
 * is Debian's, all with 64 buffers and the same image on /dev/shm. An operation is one request of a
 * pipeline of {@code window} requests that refills itself from each completion: a full frame for the
 * sequential rows (ops/s × 1,024 or 8,704 bytes = throughput), 4 KiB for the random reads (ops/s =
 * IOPS). The target's and the client's CPU seconds per frame (from /proc) go to the side results file
 * ({@code -Daoe.bench.side=FILE}). Both JVMs start cold in each trial: the warm-up (4 × 2 s) is
 * what it takes for their throughput to settle here.
 * Needs root.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 3, time = 2)
public class VethBenchmark {

    static final long IMAGE_BYTES = 128L << 20;
    static final int PAGE = 4096;
    static final int BATCH = 256;

    @Param({"aoe-afpacket", "aoe-afpacket-v3", "aoe-pcap", "vblade"})
    String target;

    @Param({"1500", "9000"})
    int mtu;

    @Param({"1", "16", "64"})
    int window;

    /** Links of the client, each a macvlan with its own MAC when more than one (what --threads spreads). */
    @Param({"1"})
    int paths;

    private VethPair pair;
    private Path image;
    private TargetUnderTest server;
    private Initiator initiator;
    private AoeDevice disk;
    private Workload workload;
    private ByteBuffer[] buffers;
    private final AtomicInteger nextBuffer = new AtomicInteger();
    private int frameBytes;
    private int framesPerRequest;
    private final AtomicLong offset = new AtomicLong();
    private final LongAdder failures = new LongAdder();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean running;
    private volatile long wakeAt = Long.MAX_VALUE;
    private volatile Thread waiter;
    private long awaited;
    private double cpuAtStart;
    private double clientCpuAtStart;
    private long completedAtStart;
    private double measuredCpu;
    private double measuredClientCpu;
    private long measuredFrames;

    private enum Workload { SEQUENTIAL_READ, SEQUENTIAL_WRITE, RANDOM_READ }

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams benchmark) throws Exception {
        String method = benchmark.getBenchmark().substring(benchmark.getBenchmark().lastIndexOf('.') + 1);
        workload = switch (method) {
            case "sequentialRead" -> Workload.SEQUENTIAL_READ;
            case "sequentialWrite" -> Workload.SEQUENTIAL_WRITE;
            default -> Workload.RANDOM_READ;
        };
        pair = VethPair.create(mtu);
        image = Path.of("/dev/shm", "aoe-bench-" + ProcessHandle.current().pid() + ".img");
        fill(image);
        server = TargetUnderTest.start(target, pair, image);
        Initiator.Builder client = Initiator.builder().maxOutstanding(window).deadTime(Duration.ofSeconds(10));
        for (String link : paths == 1 ? List.of(pair.outside()) : pair.macvlans(paths, mtu)) {
            client.link(AfPacketLink.open(link));
        }
        initiator = client.build();
        try {
            disk = initiator.open(new AoeAddress(0, 1), Duration.ofSeconds(20));
        } catch (IOException e) {
            throw new IllegalStateException(target + " did not answer: " + e.getMessage() + "\n" + server.log(), e);
        }
        frameBytes = disk.sectorsPerFrame() * 512;
        framesPerRequest = workload == Workload.RANDOM_READ
                ? (PAGE / 512 + disk.sectorsPerFrame() - 1) / disk.sectorsPerFrame() : 1;
        buffers = new ByteBuffer[2 * window];
        for (int i = 0; i < buffers.length; i++) {
            buffers[i] = ByteBuffer.allocateDirect(Math.max(frameBytes, PAGE));
        }
    }

    private static void fill(Path image) throws IOException {
        byte[] chunk = new byte[1 << 20];
        new Random(7).nextBytes(chunk);
        try (FileChannel c = FileChannel.open(image, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long at = 0; at < IMAGE_BYTES; at += chunk.length) {
                chunk[0] = (byte) (at >>> 20);
                c.write(ByteBuffer.wrap(chunk), at);
            }
        }
    }

    private ByteBuffer buffer(int length) {
        return buffers[Math.floorMod(nextBuffer.getAndIncrement(), buffers.length)].duplicate().clear().limit(length);
    }

    private long nextSequential() {
        long span = IMAGE_BYTES - IMAGE_BYTES % frameBytes;
        return Math.floorMod(offset.getAndAdd(frameBytes), span);
    }

    /**
     * Issues one request; its completion issues the next, on the link's receive thread, so the window
     * stays full without a thread switch per request and new requests leave in the reply batches.
     */
    private void issue() {
        inFlight.incrementAndGet();
        CompletableFuture<Void> request = switch (workload) {
            case SEQUENTIAL_READ -> disk.readAsync(nextSequential(), buffer(frameBytes));
            case SEQUENTIAL_WRITE -> disk.writeAsync(nextSequential(), buffer(frameBytes));
            case RANDOM_READ -> disk.readAsync(ThreadLocalRandom.current().nextLong(IMAGE_BYTES / PAGE) * PAGE,
                    buffer(PAGE));
        };
        request.whenComplete((ok, failed) -> {
            if (failed != null) {
                failures.increment();
            }
            inFlight.decrementAndGet();
            if (completed.incrementAndGet() >= wakeAt) {
                LockSupport.unpark(waiter);
            }
            if (running) {
                issue();
            }
        });
    }

    /** Waits for the next {@value #BATCH} completions. */
    private void awaitBatch() {
        awaited += BATCH;
        waiter = Thread.currentThread();
        wakeAt = awaited;
        while (completed.get() < awaited) {
            LockSupport.parkNanos(this, 1_000_000);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void sequentialRead() {
        awaitBatch();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void sequentialWrite() {
        awaitBatch();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void randomRead4KiB() {
        awaitBatch();
    }

    @Setup(Level.Iteration)
    public void beforeIteration() throws IOException {
        cpuAtStart = server.cpuSeconds();
        clientCpuAtStart = TargetUnderTest.cpuSeconds(ProcessHandle.current().pid());
        completedAtStart = completed.get();
        awaited = completedAtStart;
        running = true;
        for (int i = 0; i < window; i++) {
            issue();
        }
    }

    @TearDown(Level.Iteration)
    public void afterIteration(IterationParams iteration) throws Exception {
        running = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (inFlight.get() > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(inFlight.get() + " requests still in flight after 30 s");
            }
            LockSupport.parkNanos(1_000_000);
        }
        if (iteration.getType() == IterationType.MEASUREMENT) {
            measuredCpu += server.cpuSeconds() - cpuAtStart;
            measuredClientCpu += TargetUnderTest.cpuSeconds(ProcessHandle.current().pid()) - clientCpuAtStart;
            measuredFrames += (completed.get() - completedAtStart) * framesPerRequest;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown(BenchmarkParams benchmark) throws Exception {
        try {
            SideResults.append(benchmark, "cpuSecondsPerFrame", measuredFrames == 0 ? 0 : measuredCpu / measuredFrames,
                    "clientCpuSecondsPerFrame", measuredFrames == 0 ? 0 : measuredClientCpu / measuredFrames,
                    "framesMeasured", measuredFrames, "failures", failures.sum(), "retransmits", disk.retransmits(), "alive", server.alive() ? 1 : 0);
        } finally {
            initiator.close();
            server.close();
            pair.close();
            Files.deleteIfExists(image);
        }
    }
}
