package dev.aoe.bench.io;

import dev.aoe.ethernet.MacAddress;
import dev.aoe.initiator.AoeAddress;
import dev.aoe.initiator.AoeDevice;
import dev.aoe.initiator.Initiator;
import dev.aoe.link.memory.MemoryLink;
import dev.aoe.link.memory.MemorySwitch;
import dev.aoe.target.Export;
import dev.aoe.target.ExportState;
import dev.aoe.target.Target;
import dev.aoe.target.store.FileBlockStore;
import dev.aoe.target.store.StoreOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Our initiator and our target together over the in-memory link (no kernel, no wire): sequential
 * 1 MiB reads and writes (ops/s × 1 MiB = throughput) and 4 KiB random reads (ops/s = IOPS), by the
 * initiator's window and the MTU (2 or 17 sectors per frame). The target serves on the link's thread,
 * as {@code ./aoe target} does by default. The image lives in /dev/shm.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class MemoryLinkIoBenchmark {

    static final int IMAGE_BYTES = 256 << 20;
    static final int CHUNK = 1 << 20;

    @Param({"1500", "9000"})
    int mtu;

    @Param({"1", "16", "64"})
    int window;

    private MemorySwitch network;
    private Target target;
    private Initiator initiator;
    private AoeDevice disk;
    private Path image;
    private final ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
    private final ByteBuffer page = ByteBuffer.allocate(4096);
    private final Random random = new Random(1);
    private long offset;

    @Setup
    public void setUp() throws Exception {
        image = Files.createTempFile(Path.of(Files.isDirectory(Path.of("/dev/shm")) ? "/dev/shm" : "/tmp"), "aoe-bench", ".img");
        network = new MemorySwitch();
        MemoryLink targetLink = network.connect("target", MacAddress.parse("02:00:00:00:00:01"), mtu);
        FileBlockStore store = FileBlockStore.open(image, new StoreOptions(false, 0, 0, IMAGE_BYTES, false, false));
        target = new Target(targetLink, List.of(new Export(0, 1, store, ExportState.inMemory(), 64, "bench")), null);
        target.start();
        initiator = Initiator.builder().link(network.connect("initiator", MacAddress.parse("02:00:00:00:00:02"), mtu))
                .maxOutstanding(window).build();
        disk = initiator.open(new AoeAddress(0, 1), Duration.ofSeconds(5));
        byte[] fill = new byte[CHUNK];
        new Random(2).nextBytes(fill);
        for (long at = 0; at < IMAGE_BYTES; at += CHUNK) {
            disk.write(at, ByteBuffer.wrap(fill));
        }
    }

    @TearDown
    public void tearDown() throws Exception {
        initiator.close();
        network.close();
        target.exports().get(0).store().close();
        Files.deleteIfExists(image);
    }

    private long nextChunk() {
        long at = offset;
        offset = (offset + CHUNK) % IMAGE_BYTES;
        return at;
    }

    @Benchmark
    public ByteBuffer sequentialRead1MiB() throws IOException {
        chunk.clear();
        disk.read(nextChunk(), chunk);
        return chunk;
    }

    @Benchmark
    public ByteBuffer sequentialWrite1MiB() throws IOException {
        chunk.clear();
        disk.write(nextChunk(), chunk);
        return chunk;
    }

    @Benchmark
    public ByteBuffer randomRead4KiB() throws IOException {
        page.clear();
        disk.read((long) random.nextInt(IMAGE_BYTES / 4096) * 4096, page);
        return page;
    }
}
