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
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
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
 * is Debian's, all with 64 buffers and the same image on /dev/shm. Each operation is one request
 * kept in a pipeline of {@code window} requests: a full frame for the sequential rows (ops/s ×
 * 1,024 or 8,704 bytes = throughput), 4 KiB for the random reads (ops/s = IOPS). The target's CPU
 * seconds per frame (from /proc) go to the side results file ({@code -Daoe.bench.side=FILE}).
 * Needs root.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 1, time = 2)
@Measurement(iterations = 3, time = 1)
public class VethBenchmark {

    static final long IMAGE_BYTES = 128L << 20;
    static final int PAGE = 4096;

    @Param({"aoe-afpacket", "aoe-pcap", "vblade"})
    String target;

    @Param({"1500", "9000"})
    int mtu;

    @Param({"1", "16", "64"})
    int window;

    private VethPair pair;
    private Path image;
    private TargetUnderTest server;
    private Initiator initiator;
    private AoeDevice disk;
    private Semaphore slots;
    private ByteBuffer[] buffers;
    private int nextBuffer;
    private int frameBytes;
    private long offset;
    private final SplittableRandom random = new SplittableRandom(1);
    private final LongAdder frames = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private double cpuAtStart;
    private long framesAtStart;
    private double measuredCpu;
    private long measuredFrames;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        pair = VethPair.create(mtu);
        image = Path.of("/dev/shm", "aoe-bench-" + ProcessHandle.current().pid() + ".img");
        fill(image);
        server = TargetUnderTest.start(target, pair, image);
        initiator = Initiator.builder().link(AfPacketLink.open(pair.outside())).maxOutstanding(window)
                .deadTime(Duration.ofSeconds(10)).build();
        try {
            disk = initiator.open(new AoeAddress(0, 1), Duration.ofSeconds(20));
        } catch (IOException e) {
            throw new IllegalStateException(target + " did not answer: " + e.getMessage() + "\n" + server.log(), e);
        }
        frameBytes = disk.sectorsPerFrame() * 512;
        slots = new Semaphore(window);
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
        ByteBuffer b = buffers[nextBuffer].duplicate().clear().limit(length);
        nextBuffer = (nextBuffer + 1) % buffers.length;
        return b;
    }

    private long nextSequential() {
        long at = offset;
        offset = (offset + frameBytes) % (IMAGE_BYTES - IMAGE_BYTES % frameBytes);
        return at;
    }

    private void track(CompletableFuture<Void> request, int requestFrames) {
        request.whenComplete((ok, failed) -> {
            if (failed == null) {
                frames.add(requestFrames);
            } else {
                failures.increment();
            }
            slots.release();
        });
    }

    @Benchmark
    public void sequentialRead() throws InterruptedException {
        slots.acquire();
        track(disk.readAsync(nextSequential(), buffer(frameBytes)), 1);
    }

    @Benchmark
    public void sequentialWrite() throws InterruptedException {
        slots.acquire();
        track(disk.writeAsync(nextSequential(), buffer(frameBytes)), 1);
    }

    @Benchmark
    public void randomRead4KiB() throws InterruptedException {
        slots.acquire();
        long at = random.nextLong(IMAGE_BYTES / PAGE) * PAGE;
        track(disk.readAsync(at, buffer(PAGE)), (PAGE / 512 + disk.sectorsPerFrame() - 1) / disk.sectorsPerFrame());
    }

    @Setup(Level.Iteration)
    public void beforeIteration() throws IOException {
        cpuAtStart = server.cpuSeconds();
        framesAtStart = frames.sum();
    }

    @TearDown(Level.Iteration)
    public void afterIteration(IterationParams iteration) throws Exception {
        if (!slots.tryAcquire(window, 30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("requests still in flight after 30 s");
        }
        slots.release(window);
        if (iteration.getType() == IterationType.MEASUREMENT) {
            measuredCpu += server.cpuSeconds() - cpuAtStart;
            measuredFrames += frames.sum() - framesAtStart;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown(BenchmarkParams benchmark) throws Exception {
        try {
            SideResults.append(benchmark, "cpuSecondsPerFrame", measuredFrames == 0 ? 0 : measuredCpu / measuredFrames,
                    "framesMeasured", measuredFrames, "failures", failures.sum(), "alive", server.alive() ? 1 : 0);
        } finally {
            initiator.close();
            server.close();
            pair.close();
            Files.deleteIfExists(image);
        }
    }
}
