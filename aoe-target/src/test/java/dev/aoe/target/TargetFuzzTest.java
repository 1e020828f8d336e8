package dev.aoe.target;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.aoe.ata.AtaCommands;
import dev.aoe.ethernet.MacAddress;
import dev.aoe.frame.AoeCommand;
import dev.aoe.frame.AoeFrame;
import dev.aoe.frame.AoeHeader;
import dev.aoe.frame.AtaArg;
import dev.aoe.frame.AtaFlyweight;
import dev.aoe.frame.FrameCodec;
import dev.aoe.frame.HeaderFlyweight;
import dev.aoe.link.FrameHandler;
import dev.aoe.link.FrameLink;
import dev.aoe.target.store.BlockStore;
import dev.aoe.target.store.FileBlockStore;
import dev.aoe.target.store.StoreOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing of the target's request path (Jazzer): any bytes, as a frame arriving on a
 * link, are served without an exception escaping and without reading past the frame (its buffer is
 * exactly the input); a write reaches the store only for a WRITE request, at the LBA and sector
 * count the frame names; and the target still answers an IDENTIFY afterwards (once the mask list and
 * reservation a fuzzed frame may have set are cleared: they rightly silence other hosts).
 */
class TargetFuzzTest {

    private static final MacAddress TARGET = MacAddress.parse("02:00:00:00:00:01");
    private static final MacAddress HOST = MacAddress.parse("52:54:00:00:00:02");
    private static Path image;
    private static FileBlockStore file;
    private static Target target;
    private static ExportState state;
    private static final List<long[]> writes = new ArrayList<>();
    private static int replies;
    private static final ByteBuf identify = FrameCodec.encode(new AoeFrame(TARGET, HOST,
            AoeHeader.request(0, 1, AoeCommand.ATA, 0x8000_0001),
            AtaArg.command(AtaCommands.IDENTIFY_DEVICE, false, 0, 1)), UnpooledByteBufAllocator.DEFAULT);

    /** The file store, recording which sectors each write touches. */
    private record Recording(BlockStore inner) implements BlockStore {
        @Override public long sectors() { return inner.sectors(); }
        @Override public boolean readOnly() { return inner.readOnly(); }
        @Override public void read(long lba, int count, ByteBuf dst) throws IOException { inner.read(lba, count, dst); }
        @Override public void flush() throws IOException { inner.flush(); }
        @Override public void close() throws IOException { inner.close(); }

        @Override
        public void write(long lba, int count, ByteBuf src, int srcIndex) throws IOException {
            writes.add(new long[] {lba, count});
            inner.write(lba, count, src, srcIndex);
        }
    }

    /** A link that counts what the target sends and hands it nothing by itself. */
    private static final class CountingLink implements FrameLink {
        @Override public String name() { return "fuzz"; }
        @Override public MacAddress mac() { return TARGET; }
        @Override public int mtu() { return 9000; }
        @Override public void start(FrameHandler handler) { }
        @Override public void close() { }

        @Override
        public void send(ByteBuf frame) {
            replies++;
            frame.release();
        }
    }

    @BeforeAll
    static void setUp() throws Exception {
        image = Files.createTempFile("aoe-fuzz", ".img");
        file = FileBlockStore.open(image, new StoreOptions(false, 0, 0, 64 * 512, false, false));
        state = ExportState.inMemory();
        Export export = new Export(0, 1, new Recording(file), state, 16, "fuzz");
        target = new Target(new CountingLink(), List.of(export), null);
        target.start();
    }

    @AfterAll
    static void tearDown() throws Exception {
        file.close();
        Files.deleteIfExists(image);
    }

    @FuzzTest(maxDuration = "20s")
    void servesAnyFrameSafely(byte[] input) {
        writes.clear();
        ByteBuf frame = Unpooled.wrappedBuffer(input);
        target.onFrame(frame);
        for (long[] w : writes) {
            assertThat(AtaFlyweight.hasRegisters(frame)).isTrue();
            assertThat(HeaderFlyweight.command(frame)).isEqualTo(AoeCommand.ATA.code());
            assertThat(AtaFlyweight.cmdStatus(frame)).isIn(AtaCommands.WRITE_SECTORS, AtaCommands.WRITE_SECTORS_EXT);
            assertThat(w).containsExactly(AtaFlyweight.effectiveLba(frame), AtaFlyweight.sectorCount(frame));
            assertThat(w[0] + w[1]).isLessThanOrEqualTo(file.sectors());
        }
        state.mask().forEach(state::maskRemove);
        state.reserve(List.of());
        int before = replies;
        target.onFrame(identify.duplicate());
        assertThat(replies).as("the target still answers").isEqualTo(before + 1);
    }
}
