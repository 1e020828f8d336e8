package dev.aoe.bench.frame;

import dev.aoe.ata.AtaCommands;
import dev.aoe.ethernet.MacAddress;
import dev.aoe.frame.AoeCommand;
import dev.aoe.frame.AoeFrame;
import dev.aoe.frame.AoeHeader;
import dev.aoe.frame.AtaArg;
import dev.aoe.frame.AtaFlyweight;
import dev.aoe.frame.FrameCodec;
import dev.aoe.frame.HeaderFlyweight;
import dev.aoe.frame.Octets;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decoding and encoding an ATA READ EXT request and its 17-sector (MTU 9000) response, through the
 * records ({@link FrameCodec}) and through the allocation-free peeks ({@link AoeHeaderView}).
 * Run with {@code -prof gc} for B/op.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 10, time = 1)
@Measurement(iterations = 5, time = 1)
public class FrameCodecBenchmark {

    private static final MacAddress INITIATOR = MacAddress.parse("52:54:00:12:34:56");
    private static final MacAddress TARGET = MacAddress.parse("02:00:00:00:00:01");
    private static final int SECTORS = 17;

    private AoeFrame request;
    private AoeFrame response;
    private ByteBuf requestWire;
    private ByteBuf responseWire;
    private ByteBuf out;

    @Setup
    public void setUp() {
        AoeHeader header = AoeHeader.request(0, 1, AoeCommand.ATA, 0x8000_1234);
        request = new AoeFrame(TARGET, INITIATOR, header,
                AtaArg.command(AtaCommands.READ_SECTORS_EXT, true, 123_456_789L, SECTORS));
        response = new AoeFrame(INITIATOR, TARGET, header.toResponse(0, 1),
                new AtaArg(AtaFlyweight.FLAG_EXTENDED, 0, 0, AtaCommands.STATUS_DRDY, 123_456_789L,
                        Octets.copyOf(new byte[SECTORS * AtaFlyweight.SECTOR_SIZE])));
        requestWire = FrameCodec.encode(request, Unpooled.buffer().alloc());
        responseWire = FrameCodec.encode(response, Unpooled.buffer().alloc());
        out = PooledByteBufAllocator.DEFAULT.directBuffer(9100);
    }

    @TearDown
    public void tearDown() {
        requestWire.release();
        responseWire.release();
        out.release();
    }

    @Benchmark
    public AoeFrame decodeReadRequest() {
        return FrameCodec.decode(requestWire);
    }

    /** What a target's receive loop does: filter and read the fields it needs, no objects. */
    @Benchmark
    public long peekReadRequest() {
        ByteBuf f = requestWire;
        if (!HeaderFlyweight.isAoe(f) || HeaderFlyweight.isResponse(f) || HeaderFlyweight.command(f) != 0) {
            return -1;
        }
        long lba = AtaFlyweight.effectiveLba(f);
        int sectors = AtaFlyweight.sectorCount(f);
        return lba + sectors + HeaderFlyweight.major(f) + HeaderFlyweight.minor(f) + HeaderFlyweight.tag(f);
    }

    @Benchmark
    public int encodeReadRequest() {
        out.clear();
        FrameCodec.encode(request, out);
        return out.writerIndex();
    }

    @Benchmark
    public AoeFrame decodeReadResponse17Sectors() {
        return FrameCodec.decode(responseWire);
    }

    @Benchmark
    public int encodeReadResponse17Sectors() {
        out.clear();
        FrameCodec.encode(response, out);
        return out.writerIndex();
    }
}
