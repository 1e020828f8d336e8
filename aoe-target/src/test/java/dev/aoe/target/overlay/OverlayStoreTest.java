package dev.aoe.target.overlay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aoe.ethernet.MacAddress;
import dev.aoe.target.overlay.OverlayDirectory.ResetOutcome;
import dev.aoe.target.store.BlockStore;
import dev.aoe.target.store.StoreException;
import dev.aoe.target.store.StoreFullException;
import dev.aoe.target.store.StoreOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverlayStoreTest {

    static final int SECTORS = 4096;
    static final MacAddress A = MacAddress.parse("52:54:00:00:00:0a");
    static final MacAddress B = MacAddress.parse("52:54:00:00:00:0b");
    static final MacAddress C = MacAddress.parse("52:54:00:00:00:0c");

    @TempDir
    Path tmp;

    Path image;
    Path dir;
    byte[] baseBytes;
    String baseSha256;
    OverlayStore store;

    @BeforeEach
    void setUp() throws Exception {
        image = tmp.resolve("golden.img");
        dir = tmp.resolve("overlays");
        baseBytes = new byte[SECTORS * 512];
        new Random(7).nextBytes(baseBytes);
        Files.write(image, baseBytes);
        baseSha256 = OverlayPropertyTest.sha256(image);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (store != null) {
            store.close();
        }
        assertThat(OverlayPropertyTest.sha256(image)).as("the base never changes").isEqualTo(baseSha256);
    }

    OverlayStore open(OverlayOptions options) throws StoreException {
        return OverlayStore.open(image, StoreOptions.DEFAULT, options.withResetCheck(Duration.ZERO));
    }

    static byte[] read(BlockStore s, long lba, int count) throws Exception {
        ByteBuf buf = Unpooled.buffer();
        s.read(lba, count, buf);
        byte[] b = ByteBufUtil.getBytes(buf);
        buf.release();
        return b;
    }

    static void write(BlockStore s, long lba, int count, int value) throws Exception {
        byte[] b = new byte[count * 512];
        Arrays.fill(b, (byte) value);
        s.write(lba, count, Unpooled.wrappedBuffer(b), 0);
    }

    static byte[] filled(int count, int value) {
        byte[] b = new byte[count * 512];
        Arrays.fill(b, (byte) value);
        return b;
    }

    byte[] baseSectors(long lba, int count) {
        return Arrays.copyOfRange(baseBytes, (int) lba * 512, (int) (lba + count) * 512);
    }

    List<String> entries() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void eachClientSeesItsOwnWritesOverTheBase() throws Exception {
        store = open(OverlayOptions.persistent(dir));
        BlockStore a = store.forClient(A.value());
        BlockStore b = store.forClient(B.value());
        write(a, 10, 4, 0xA1);
        write(b, 12, 4, 0xB1);

        assertThat(read(a, 8, 8)).isEqualTo(OverlayTest.concat(baseSectors(8, 2), filled(4, 0xA1), baseSectors(14, 2)));
        assertThat(read(b, 8, 8)).isEqualTo(OverlayTest.concat(baseSectors(8, 4), filled(4, 0xB1)));
        assertThat(read(store.forClient(C.value()), 8, 8)).as("a client that never wrote").isEqualTo(baseSectors(8, 8));
        assertThat(store.forClient(A.value())).as("one store per client").isSameAs(a);
        assertThat(store.base().readOnly()).isTrue();
        assertThat(a.readOnly()).isFalse();
    }

    @Test
    void aClientThatNeverWritesGetsNoFiles() throws Exception {
        store = open(OverlayOptions.persistent(dir));
        read(store.forClient(C.value()), 0, 8);
        store.forClient(C.value()).flush();
        assertThat(entries()).containsExactly(".lock", "base.info");

        write(store.forClient(A.value()), 0, 1, 1);
        assertThat(entries()).containsExactly(".lock", "52-54-00-00-00-0a", "base.info");
        assertThat(Files.list(dir.resolve("52-54-00-00-00-0a")).map(p -> p.getFileName().toString()).sorted())
                .containsExactly("data", "lock", "macs", "map");
        assertThat(Files.size(dir.resolve("52-54-00-00-00-0a/data"))).isEqualTo(SECTORS * 512L);
        assertThat(Files.readString(dir.resolve("52-54-00-00-00-0a/macs"))).isEqualTo("52:54:00:00:00:0a\n");
    }

    @Test
    void theMacsOfAGroupShareOneOverlay() throws Exception {
        store = open(OverlayOptions.persistent(dir).withClients(List.of(new ClientGroup("pc1", List.of(A, B)))));
        write(store.forClient(A.value()), 0, 8, 0x5A);
        assertThat(read(store.forClient(B.value()), 0, 8)).isEqualTo(filled(8, 0x5A));
        assertThat(store.forClient(B.value())).isSameAs(store.forClient(A.value()));
        assertThat(entries()).containsExactly(".lock", "base.info", "pc1");
        assertThat(Files.readAllLines(dir.resolve("pc1/macs"))).containsExactly(A.toString(), B.toString());
        assertThat(store.clients()).extracting(OverlayClient::name).containsExactly("pc1");
    }

    @Test
    void overlaysOutliveTheTarget() throws Exception {
        store = open(OverlayOptions.persistent(dir));
        write(store.forClient(A.value()), 100, 3, 0x21);
        store.close();

        store = open(OverlayOptions.persistent(dir));
        BlockStore a = store.forClient(A.value());
        assertThat(read(a, 100, 3)).isEqualTo(filled(3, 0x21));
        assertThat(((OverlayClient) a).heldBlocks()).isEqualTo(1);
        assertThat(read(store.forClient(B.value()), 100, 3)).isEqualTo(baseSectors(100, 3));
    }

    @Test
    void inSyncModeAnAcknowledgedWriteIsInTheFilesBeforeAnyFlush() throws Exception {
        store = open(OverlayOptions.persistent(dir).withSync(true));
        write(store.forClient(A.value()), 16, 8, 0x3C);

        ClientDir onDisk = OverlayDirectory.inspect(dir).find(A.toString()).orElseThrow();
        assertThat(onDisk.readMap().holds(2)).as("the map file names the block").isTrue();
        byte[] file = Files.readAllBytes(onDisk.data());
        assertThat(Arrays.copyOfRange(file, 16 * 512, 24 * 512)).isEqualTo(filled(8, 0x3C));
    }

    @Test
    void withoutSyncTheMapFileNamesABlockOnlyAfterAFlush() throws Exception {
        store = open(OverlayOptions.persistent(dir));
        BlockStore a = store.forClient(A.value());
        write(a, 16, 8, 0x3C);
        ClientDir onDisk = OverlayDirectory.inspect(dir).find(A.toString()).orElseThrow();
        assertThat(onDisk.readMap().holds(2)).isFalse();
        a.flush();
        assertThat(onDisk.readMap().holds(2)).isTrue();
    }

    @Test
    void theWriteBackFlushesAnOverlayWrittenSinceItsLastFlushAndOnlyThen() throws Exception {
        store = open(OverlayOptions.persistent(dir));
        OverlayClient a = (OverlayClient) store.forClient(A.value());
        write(a, 16, 8, 0x3C);
        ClientDir onDisk = OverlayDirectory.inspect(dir).find(A.toString()).orElseThrow();
        long flushes = a.stats().get(ClientStats.Counter.FLUSHES);

        a.writeBack();
        assertThat(onDisk.readMap().holds(2)).as("an initiator that never sends FLUSH, as Linux's aoe").isTrue();
        assertThat(a.stats().get(ClientStats.Counter.FLUSHES)).isEqualTo(flushes + 1);
        a.writeBack();
        assertThat(a.stats().get(ClientStats.Counter.FLUSHES)).as("nothing written since").isEqualTo(flushes + 1);
        write(a, 40, 1, 0x3D);
        a.writeBack();
        assertThat(onDisk.readMap().holds(5)).isTrue();
    }

    @Test
    void ephemeralOverlaysAreGoneAtTheNextStart() throws Exception {
        store = open(OverlayOptions.ephemeral(dir));
        write(store.forClient(A.value()), 0, 8, 0x01);
        store.close();

        store = open(OverlayOptions.ephemeral(dir));
        assertThat(entries()).containsExactly(".lock", "base.info");
        assertThat(read(store.forClient(A.value()), 0, 8)).isEqualTo(baseSectors(0, 8));
    }

    @Test
    void inMemoryOverlaysStopAtTheirCap() throws Exception {
        store = open(OverlayOptions.memory(2 * 4096));
        BlockStore a = store.forClient(A.value());
        write(a, 0, 16, 0x0F);
        assertThatThrownBy(() -> write(a, 16, 1, 0x0E)).isInstanceOf(StoreFullException.class)
                .hasMessageContaining("52-54-00-00-00-0a: in-memory overlay is full (cap 8192 bytes)");
        write(a, 3, 2, 0x0D);   // into blocks it holds: still fine
        assertThat(read(a, 0, 17)).isEqualTo(OverlayTest.concat(filled(3, 0x0F), filled(2, 0x0D), filled(11, 0x0F),
                baseSectors(16, 1)));
        write(store.forClient(B.value()), 16, 1, 0x0B);   // the cap is per client
        assertThat(Files.exists(dir)).isFalse();
    }

    @Test
    void aDirectoryServesOneTargetAtATime() throws Exception {
        store = open(OverlayOptions.persistent(dir));
        assertThatThrownBy(() -> open(OverlayOptions.persistent(dir))).isInstanceOf(StoreException.class)
                .hasMessageContaining("is in use by another target");
    }

    @Test
    void overlaysAreNeverLaidOverAChangedBase() throws Exception {
        store = open(OverlayOptions.persistent(dir));
        write(store.forClient(A.value()), 0, 1, 1);
        store.close();
        store = null;
        Files.setLastModifiedTime(image, FileTime.from(Instant.parse("2030-01-01T00:00:00Z")));

        assertThatThrownBy(() -> open(OverlayOptions.persistent(dir))).isInstanceOf(StoreException.class)
                .hasMessageContaining("holds overlays made over " + image.toAbsolutePath())
                .hasMessageContaining("delete " + dir.resolve("base.info"));
        Files.delete(dir.resolve("base.info"));   // "it is the same image"
        store = open(OverlayOptions.persistent(dir));
        assertThat(read(store.forClient(A.value()), 0, 1)).isEqualTo(filled(1, 1));
    }

    @Test
    void theBaseIsLockedWhileServed() throws Exception {
        store = open(OverlayOptions.persistent(dir));
        try (FileChannel writer = FileChannel.open(image, StandardOpenOption.WRITE)) {
            assertThatThrownBy(writer::tryLock).isInstanceOf(OverlappingFileLockException.class);
        }
    }

    @Test
    void aServedClientIsResetOnlyWithForceAndThenReadsTheBase() throws Exception {
        store = open(OverlayOptions.persistent(dir));
        BlockStore a = store.forClient(A.value());
        write(a, 0, 8, 0xAA);
        write(store.forClient(B.value()), 0, 8, 0xBB);
        OverlayDirectory overlays = OverlayDirectory.inspect(dir);
        ClientDir clientA = overlays.find(A.toString()).orElseThrow();
        assertThat(clientA.inUse()).isTrue();

        assertThatThrownBy(() -> overlays.reset(clientA, false, Duration.ZERO))
                .hasMessageContaining("52-54-00-00-00-0a is being served by a running target");
        assertThat(read(a, 0, 8)).isEqualTo(filled(8, 0xAA));

        assertThat(overlays.reset(clientA, true, Duration.ZERO)).isEqualTo(ResetOutcome.PENDING);
        assertThat(entries()).doesNotContain("52-54-00-00-00-0a");
        store.checkResets();
        assertThat(read(a, 0, 8)).isEqualTo(baseSectors(0, 8));
        assertThat(read(store.forClient(B.value()), 0, 8)).isEqualTo(filled(8, 0xBB));
        assertThat(entries()).as("the reset overlay is deleted").containsExactly(".lock", "52-54-00-00-00-0b",
                "base.info");

        write(a, 8, 1, 0xA2);   // a new overlay from its next write
        assertThat(read(a, 0, 9)).isEqualTo(OverlayTest.concat(baseSectors(0, 8), filled(1, 0xA2)));
    }

    @Test
    void aClientNoTargetServesIsResetAtOnce() throws Exception {
        store = open(OverlayOptions.persistent(dir));
        write(store.forClient(A.value()), 0, 8, 0xAA);
        store.close();
        store = null;

        OverlayDirectory overlays = OverlayDirectory.inspect(dir);
        assertThat(overlays.reset(overlays.find("52-54-00-00-00-0a").orElseThrow(), false, Duration.ZERO))
                .isEqualTo(ResetOutcome.REMOVED);
        assertThat(entries()).containsExactly(".lock", "base.info");
        store = open(OverlayOptions.persistent(dir));
        assertThat(read(store.forClient(A.value()), 0, 8)).isEqualTo(baseSectors(0, 8));
    }

    @Test
    void leftoversOfACrashAreRemovedAtStart() throws Exception {
        Files.createDirectories(dir.resolve(".new-52-54-00-00-00-0a"));
        Files.createDirectories(dir.resolve(".reset-pc1-123"));
        Files.writeString(dir.resolve(".reset-pc1-123/data"), "x");
        store = open(OverlayOptions.persistent(dir));
        assertThat(entries()).containsExactly(".lock", "base.info");
    }

    @Test
    void perClientCountersCountWhatEachDid() throws Exception {
        store = open(OverlayOptions.persistent(dir));
        BlockStore a = store.forClient(A.value());
        write(a, 1, 2, 1);    // part of block 0: a copy
        write(a, 8, 16, 2);   // blocks 1 and 2, whole
        read(a, 0, 24);
        a.flush();
        read(store.forClient(B.value()), 0, 4);
        ClientStats stats = ((OverlayClient) a).stats();
        assertThat(stats.snapshot()).containsEntry("reads", 1L).containsEntry("writes", 2L)
                .containsEntry("flushes", 1L).containsEntry("bytes_read", 24L * 512)
                .containsEntry("bytes_written", 18L * 512).containsEntry("blocks_added", 3L)
                .containsEntry("blocks_copied", 1L);
        assertThat(((OverlayClient) store.forClient(B.value())).stats().get(ClientStats.Counter.BYTES_READ))
                .isEqualTo(4 * 512);
    }

    @Test
    void lookingUpAndReadingAKnownClientAllocatesNothing() throws Exception {
        store = open(OverlayOptions.persistent(dir));
        write(store.forClient(A.value()), 64, 8, 1);   // A holds block 8; B has no overlay
        store.forClient(B.value());
        ByteBuf dst = Unpooled.wrappedBuffer(new byte[64 * 512]);   // not one the leak detector watches (and records)
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int round = 0; round < 2; round++) {   // the first round warms up
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 20_000; i++) {
                store.forClient(A.value()).read(56 + i % 16, 16, dst.clear());   // base, overlay, base
                store.forClient(B.value()).read(i % 64, 16, dst.clear());
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (round == 1) {
                assertThat(allocated).as("bytes allocated by 40,000 reads").isLessThan(40_000);
            }
        }
    }
}
