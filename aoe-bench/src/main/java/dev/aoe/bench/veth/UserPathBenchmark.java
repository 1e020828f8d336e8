package dev.aoe.bench.veth;

import dev.aoe.frame.AtaFlyweight;
import dev.aoe.initiator.AoeAddress;
import dev.aoe.initiator.AoeDevice;
import dev.aoe.initiator.Initiator;
import dev.aoe.link.afpacket.AfPacketLink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * What users call, beside the benchmark's own pipeline, against the same target in the same run: 1 GiB
 * read across a veth pair (image on /dev/shm) by {@link AoeDevice#read} as one request
 * ({@code deviceRead}), by {@code ./aoe read -o /dev/null} as a process ({@code commandRead}: JVM
 * start included, as a user sees it), and by a self-refilling pipeline of one-frame requests, 64 in
 * flight ({@code pipelineRead}, what {@link VethBenchmark} measures). Score: seconds per GiB. The
 * client's CPU per frame (user plus system, the command's own process for {@code commandRead}) and
 * the command's own timing of its transfer (without JVM start and discovery) go to the side results.
 * Needs root.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g", "-XX:MaxDirectMemorySize=3g"})
@Warmup(iterations = 2)
@Measurement(iterations = 3)
public class UserPathBenchmark {

    static final long BYTES = 1L << 30;
    static final int WINDOW = 64;
    /** "1073741824 bytes (1 GiB) in 4.70 s, 217.0 MiB/s": what {@code ./aoe read -v} ends with. */
    private static final Pattern SUMMARY = Pattern.compile("bytes \\(.*\\) in ([0-9.]+) s,");

    @Param({"aoe-afpacket", "vblade"})
    String target;

    @Param({"1500", "9000"})
    int mtu;

    private VethPair pair;
    private Path image;
    private TargetUnderTest server;
    private Initiator initiator;
    private AoeDevice disk;
    private ByteBuffer buffer;
    private double cpuAtStart;
    private double userAtStart;
    private double measuredUser;
    private double measuredCpu;
    private long measuredFrames;
    private int frameBytes;
    /** commandRead: the command's own time for the transfer (its -v summary), without JVM start and discovery. */
    private double lastTransferSeconds;
    private double measuredTransferSeconds;
    private int measuredIterations;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams benchmark) throws Exception {
        pair = VethPair.create(mtu);
        image = Path.of("/dev/shm", "aoe-bench-user-" + ProcessHandle.current().pid() + ".img");
        fill(image);
        server = TargetUnderTest.start(target, pair, image);
        if (benchmark.getBenchmark().endsWith(".commandRead")) {
            // no socket of ours on the interface: it would receive (and cost) every frame the command gets
            frameBytes = AtaFlyweight.sectorsPerFrame(mtu) * 512;
            return;
        }
        initiator = Initiator.builder().link(AfPacketLink.open(pair.outside())).deadTime(Duration.ofSeconds(10)).build();
        try {
            disk = initiator.open(new AoeAddress(0, 1), Duration.ofSeconds(20));
        } catch (IOException e) {
            throw new IllegalStateException(target + " did not answer: " + e.getMessage() + "\n" + server.log(), e);
        }
        frameBytes = disk.sectorsPerFrame() * 512;
        buffer = ByteBuffer.allocateDirect((int) Math.min(Integer.MAX_VALUE - 8, BYTES));
    }

    static void fill(Path image) throws IOException {
        byte[] chunk = new byte[1 << 20];
        new Random(7).nextBytes(chunk);
        try (FileChannel c = FileChannel.open(image, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long at = 0; at < BYTES; at += chunk.length) {
                chunk[0] = (byte) (at >>> 20);
                c.write(ByteBuffer.wrap(chunk), at);
            }
        }
    }

    @Setup(Level.Iteration)
    public void beforeIteration() throws IOException {
        lastTransferSeconds = 0;
        cpuAtStart = clientCpu();
        userAtStart = clientUser();
    }

    @TearDown(Level.Iteration)
    public void afterIteration(IterationParams iteration) throws IOException {
        if (iteration.getType() == IterationType.MEASUREMENT) {
            measuredCpu += clientCpu() - cpuAtStart;
            measuredUser += clientUser() - userAtStart;
            measuredFrames += BYTES / frameBytes;
            measuredTransferSeconds += lastTransferSeconds;
            measuredIterations++;
        }
    }

    /** User plus system CPU seconds of this JVM and of the children it has waited for. */
    private static double clientCpu() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = 0;
        for (int i = 11; i <= 14; i++) {   // utime, stime, cutime, cstime: fields 14-17
            ticks += Long.parseLong(f[i]);
        }
        return ticks / 100.0;
    }

    /** User CPU seconds of this JVM and of the children it has waited for. */
    private static double clientUser() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[13])) / 100.0;
    }

    @Benchmark
    public long deviceRead() throws IOException {
        disk.read(0, buffer.clear().limit((int) Math.min(buffer.capacity(), BYTES)));
        return buffer.position();
    }

    @Benchmark
    public long pipelineRead() throws Exception {
        AtomicLong next = new AtomicLong();
        long span = BYTES - BYTES % frameBytes;
        List<CompletableFuture<Void>> chains = new ArrayList<>();
        for (int i = 0; i < WINDOW; i++) {
            chains.add(chain(next, span, buffer.duplicate().position(i * frameBytes).limit((i + 1) * frameBytes).slice()));
        }
        CompletableFuture.allOf(chains.toArray(CompletableFuture[]::new)).get();
        return next.get();
    }

    /** One request at a time; each completion issues the next, on the link's receive thread. */
    private CompletableFuture<Void> chain(AtomicLong next, long span, ByteBuffer into) {
        long at = next.getAndAdd(frameBytes);
        if (at >= span) {
            return CompletableFuture.completedFuture(null);
        }
        return disk.readAsync(at, into.clear()).thenCompose(v -> chain(next, span, into));
    }

    @Benchmark
    public int commandRead() throws Exception {
        String launcher = System.getenv("AOE_ROOT");
        if (launcher == null) {
            throw new IllegalStateException("AOE_ROOT must name the source checkout (./aoe bench sets it)");
        }
        Process p = new ProcessBuilder(Path.of(launcher, "aoe").toString(), "read", "e0.1", "-i", pair.outside(),
                "--length", Long.toString(BYTES), "-o", "/dev/null", "-v").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        Matcher summary = SUMMARY.matcher(out);
        if (code != 0 || !summary.find()) {
            throw new IllegalStateException("./aoe read exited " + code + ": " + out);
        }
        lastTransferSeconds = Double.parseDouble(summary.group(1));
        return code;
    }

    @TearDown(Level.Trial)
    public void tearDown(BenchmarkParams benchmark) throws Exception {
        try {
            SideResults.append(benchmark, "clientCpuSecondsPerFrame", measuredFrames == 0 ? 0 : measuredCpu / measuredFrames,
                    "clientUserSecondsPerFrame", measuredFrames == 0 ? 0 : measuredUser / measuredFrames,
                    "framesMeasured", measuredFrames,
                    "commandTransferSeconds", measuredIterations == 0 ? 0 : measuredTransferSeconds / measuredIterations,
                    "retransmits", disk == null ? -1 : disk.retransmits(),
                    "alive", server.alive() ? 1 : 0,
                    "link", "\"" + (initiator == null ? "the command's" : ((AfPacketLink) initiator.links().get(0)).stats())
                            + "\"");
        } finally {
            if (initiator != null) {
                initiator.close();
            }
            server.close();
            pair.close();
            Files.deleteIfExists(image);
        }
    }
}
