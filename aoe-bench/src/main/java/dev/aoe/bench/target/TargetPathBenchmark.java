package dev.aoe.bench.target;

import dev.aoe.ethernet.MacAddress;
import dev.aoe.frame.AoeCommand;
import dev.aoe.frame.AoeFrame;
import dev.aoe.frame.AoeHeader;
import dev.aoe.frame.AtaArg;
import dev.aoe.frame.FrameCodec;
import dev.aoe.link.FrameHandler;
import dev.aoe.link.FrameLink;
import dev.aoe.target.Export;
import dev.aoe.target.ExportState;
import dev.aoe.target.Target;
import dev.aoe.target.overlay.OverlayOptions;
import dev.aoe.target.overlay.OverlayStore;
import dev.aoe.target.store.BlockStore;
import dev.aoe.target.store.FileBlockStore;
import dev.aoe.target.store.StoreOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * The target's request path alone, as the receive thread of a link runs it: one READ or WRITE
 * request frame in, the response built (data from the mapped image, or written with pwrite) and
 * handed to the link, which here just releases it. Run with {@code -prof gc}: B/op is what the
 * path allocates per frame served (plus a thread cache Netty sets up per invocation, about 2 B/op
 * over {@value #FRAMES} frames).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TargetPathBenchmark {

    private static final MacAddress TARGET = MacAddress.parse("02:00:00:00:00:01");
    private static final MacAddress CLIENT = MacAddress.parse("02:00:00:00:00:02");

    private static final int FRAMES = 65_536;

    @Param({"2", "17"})
    int sectors;

    /**
     * {@code plain}: the image itself; {@code overlay-empty}: an overlay export whose client never
     * wrote (reads come from the base); {@code overlay-full}: one whose client wrote every block.
     */
    @Param({"plain"})
    String export;

    private OverlayStore overlays;
    private Path overlayDir;

    private Path image;
    private Target target;
    private FrameHandler handler;
    private ByteBuf read;
    private ByteBuf write;
    private long sent;

    /** A link that hands the target's handler to the benchmark and drops what the target sends. */
    private final class NullLink implements FrameLink {
        @Override public String name() { return "null"; }
        @Override public MacAddress mac() { return TARGET; }
        @Override public int mtu() { return 9000; }
        @Override public void start(FrameHandler h) { handler = h; }
        @Override public void send(ByteBuf frame) { sent += frame.readableBytes(); frame.release(); }
        @Override public void close() { }
    }

    @Setup
    public void setUp() throws Exception {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);   // as ./aoe target runs
        image = Files.createTempFile(Path.of(Files.isDirectory(Path.of("/dev/shm")) ? "/dev/shm" : "/tmp"), "aoe-path", ".img");
        // data, not holes: a page the store has not yet seen holding data is read with pread, not the mapping
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            byte[] chunk = new byte[1 << 20];
            Arrays.fill(chunk, (byte) 0x5A);
            for (int i = 0; i < 64; i++) {
                f.write(chunk);
            }
        }
        Export e01;
        if (export.equals("plain")) {
            FileBlockStore store = FileBlockStore.open(image, new StoreOptions(false, 0, 0, 64L << 20, false, false));
            e01 = new Export(0, 1, store, ExportState.inMemory(), 64, "bench");
        } else {
            overlayDir = Files.createTempDirectory(image.getParent(), "aoe-path-overlays");
            overlays = OverlayStore.open(image, StoreOptions.DEFAULT, OverlayOptions.persistent(overlayDir)
                    .withResetCheck(Duration.ZERO));
            if (export.equals("overlay-full")) {
                fill(overlays.forClient(CLIENT.value()));
            }
            e01 = new Export(0, 1, overlays.base(), ExportState.inMemory(), 64, "bench");
            e01.clients(overlays);
        }
        target = new Target(new NullLink(), List.of(e01), null);
        target.start();
        AoeHeader header = AoeHeader.request(0, 1, AoeCommand.ATA, 0x8000_0001);
        read = FrameCodec.encode(new AoeFrame(TARGET, CLIENT, header, AtaArg.command(0x24, true, 4096, sectors)),
                PooledByteBufAllocator.DEFAULT);
        write = FrameCodec.encode(new AoeFrame(TARGET, CLIENT, header, AtaArg.write(0x34, true, false, 8192,
                dev.aoe.frame.Octets.copyOf(new byte[sectors * 512]))), PooledByteBufAllocator.DEFAULT);
    }

    private static void fill(BlockStore client) throws IOException {
        ByteBuf chunk = Unpooled.wrappedBuffer(new byte[128 * 512]);
        for (long lba = 0; lba < client.sectors(); lba += 128) {
            client.write(lba, 128, chunk, 0);
        }
        client.flush();
    }

    @TearDown
    public void tearDown() throws Exception {
        read.release();
        write.release();
        target.close();
        if (overlays != null) {
            overlays.close();
            try (var files = Files.walk(overlayDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        } else {
            target.exports().get(0).store().close();
        }
        Files.deleteIfExists(image);
    }

    /**
     * Serves {@value #FRAMES} frames as a link's receive thread would: with Netty's thread-local
     * recycling on (the links' threads are FastThreadLocalThreads; JMH's are not).
     */
    private long serve(ByteBuf request) {
        FastThreadLocalThread.runWithFastThreadLocal(() -> {
            for (int i = 0; i < FRAMES; i++) {
                handler.onFrame(request);
            }
        });
        return sent;
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public long serveRead() {
        return serve(read);
    }

    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public long serveWrite() {
        return serve(write);
    }
}
