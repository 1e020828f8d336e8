package dev.aoe.target.overlay;

import static dev.aoe.target.overlay.OverlayPropertyTest.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aoe.target.overlay.ClientStats.Counter;
import dev.aoe.target.store.FileBlockStore;
import dev.aoe.target.store.StoreOptions;
import io.netty.buffer.Unpooled;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverlayTest {

    static final int SECTORS = 1021;   // the last block is 5 sectors long

    @TempDir
    Path dir;

    byte[] baseBytes;
    FileBlockStore base;
    final CrashableDisk disk = new CrashableDisk(3);
    CrashableDisk.Store data;
    CrashableDisk.Store mapFile;
    final ClientStats stats = new ClientStats();
    Overlay overlay;

    @BeforeEach
    void setUp() throws Exception {
        baseBytes = new byte[SECTORS * 512];
        new Random(1).nextBytes(baseBytes);
        Path image = dir.resolve("base.img");
        Files.write(image, baseBytes);
        base = FileBlockStore.open(image, new StoreOptions(true, 0, 0, 0, false, false));
        overlay = open(false);
    }

    Overlay open(boolean sync) throws Exception {
        data = disk.store(SECTORS, sync);
        mapFile = disk.store(OverlayMap.fileBytes(SECTORS * 512L) / 512, false);
        OverlayMap.format(mapFile, SECTORS * 512L);
        return Overlay.open(base, data, mapFile, sync, stats);
    }

    @AfterEach
    void tearDown() throws Exception {
        base.close();
    }

    byte[] baseSectors(int lba, int count) {
        return Arrays.copyOfRange(baseBytes, lba * 512, (lba + count) * 512);
    }

    static byte[] filled(int sectors, int value) {
        byte[] b = new byte[sectors * 512];
        Arrays.fill(b, (byte) value);
        return b;
    }

    void write(Overlay o, int lba, byte[] bytes) throws Exception {
        o.write(lba, bytes.length / 512, Unpooled.wrappedBuffer(bytes), 0);
    }

    @Test
    void readsTheBaseWhereNothingWasWritten() throws Exception {
        assertThat(read(overlay, 0, 256)).isEqualTo(baseSectors(0, 256));
        assertThat(read(overlay, SECTORS - 3, 3)).isEqualTo(baseSectors(SECTORS - 3, 3));
        assertThat(overlay.map().heldBlocks()).isZero();
    }

    @Test
    void aWriteIntoPartOfABlockCopiesTheRestFromTheBase() throws Exception {
        write(overlay, 10, filled(2, 0xAA));   // sectors 10-11 of block 1 (sectors 8-15)

        assertThat(stats.get(Counter.BLOCKS_COPIED)).isEqualTo(1);
        assertThat(stats.get(Counter.BLOCKS_ADDED)).isEqualTo(1);
        assertThat(overlay.map().holds(1)).isTrue();
        assertThat(data.current(8)).as("copied from the base").isEqualTo(baseSectors(8, 1));
        assertThat(data.current(15)).isEqualTo(baseSectors(15, 1));
        assertThat(read(overlay, 8, 8)).isEqualTo(concat(baseSectors(8, 2), filled(2, 0xAA), baseSectors(12, 4)));
    }

    @Test
    void aWriteCoveringWholeBlocksCopiesNothing() throws Exception {
        write(overlay, 16, filled(16, 0x11));
        assertThat(stats.get(Counter.BLOCKS_COPIED)).isZero();
        assertThat(stats.get(Counter.BLOCKS_ADDED)).isEqualTo(2);
        assertThat(overlay.map().ranges()).containsExactly(new BlockRange(2, 2));
    }

    @Test
    void anUnalignedWriteAcrossBlocksCopiesOnlyItsTwoEdges() throws Exception {
        write(overlay, 4, filled(24, 0x22));   // sectors 4-27: blocks 0 and 3 in part, 1 and 2 whole
        assertThat(stats.get(Counter.BLOCKS_COPIED)).isEqualTo(2);
        assertThat(stats.get(Counter.BLOCKS_ADDED)).isEqualTo(4);
        assertThat(read(overlay, 0, 32)).isEqualTo(concat(baseSectors(0, 4), filled(24, 0x22), baseSectors(28, 4)));
    }

    @Test
    void aBlockAlreadyHeldIsNotCopiedAgain() throws Exception {
        write(overlay, 8, filled(1, 0x01));
        write(overlay, 9, filled(1, 0x02));
        assertThat(stats.get(Counter.BLOCKS_COPIED)).isEqualTo(1);
        assertThat(read(overlay, 8, 3)).isEqualTo(concat(filled(1, 0x01), filled(1, 0x02), baseSectors(10, 1)));
    }

    @Test
    void theShortLastBlockIsCopiedAndWritten() throws Exception {
        write(overlay, SECTORS - 1, filled(1, 0x33));
        assertThat(overlay.map().holds(OverlayMap.blocksOf(SECTORS * 512L) - 1)).isTrue();
        assertThat(read(overlay, SECTORS - 5, 5)).isEqualTo(concat(baseSectors(SECTORS - 5, 4), filled(1, 0x33)));
    }

    @Test
    void aReadSpanningHeldAndOtherBlocksTakesEachFromItsPlace() throws Exception {
        write(overlay, 8, filled(8, 0x44));
        write(overlay, 32, filled(8, 0x55));
        assertThat(read(overlay, 4, 40)).isEqualTo(concat(baseSectors(4, 4), filled(8, 0x44), baseSectors(16, 16),
                filled(8, 0x55), baseSectors(40, 4)));
    }

    @Test
    void requestsOutsideTheDeviceAreRefused() {
        assertThatThrownBy(() -> write(overlay, SECTORS, filled(1, 0))).hasMessageContaining("outside");
        assertThatThrownBy(() -> read(overlay, SECTORS - 1, 2)).hasMessageContaining("outside");
    }

    @Test
    void unflushedWritesAreLostInACrashAndFlushedOnesKept() throws Exception {
        write(overlay, 0, filled(8, 0x66));
        overlay.flush();
        write(overlay, 64, filled(8, 0x77));
        disk.crash(CrashableDisk.Loss.ALL_UNFLUSHED);

        Overlay reopened = Overlay.open(base, data, mapFile, false, new ClientStats());
        assertThat(read(reopened, 0, 8)).isEqualTo(filled(8, 0x66));
        assertThat(read(reopened, 64, 8)).isEqualTo(baseSectors(64, 8));
        assertThat(reopened.map().heldBlocks()).isEqualTo(1);
    }

    @Test
    void aCrashBeforeTheDataIsSyncedLeavesTheMapWithoutTheBlock() throws Exception {
        write(overlay, 8, filled(8, 0x12));
        disk.cutPowerAfter(0);   // the data sync fails: the map must not be written
        assertThatThrownBy(overlay::flush).hasMessage("power cut");
        disk.crash(CrashableDisk.Loss.ALL_UNFLUSHED);

        Overlay reopened = Overlay.open(base, data, mapFile, false, new ClientStats());
        assertThat(reopened.map().holds(1)).isFalse();
        assertThat(read(reopened, 8, 8)).isEqualTo(baseSectors(8, 8));
    }

    @Test
    void inSyncModeAnAcknowledgedWriteSurvivesACrashWithoutFlush() throws Exception {
        Overlay synced = open(true);
        write(synced, 100, filled(3, 0x88));   // a new block, copied in part
        write(synced, 101, filled(1, 0x99));   // into a block already held: no map change
        disk.crash(CrashableDisk.Loss.ALL_UNFLUSHED);

        Overlay reopened = Overlay.open(base, data, mapFile, true, new ClientStats());
        assertThat(read(reopened, 96, 8)).isEqualTo(concat(baseSectors(96, 4), filled(1, 0x88), filled(1, 0x99),
                filled(1, 0x88), baseSectors(103, 1)));
    }

    @Test
    void concurrentWritersSettingBitsOfOneWordLoseNone() throws Exception {
        int threads = 4;
        int blocks = 120;   // blocks 0-119 share two words of the map
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                done.add(pool.submit(() -> {
                    for (int b = first; b < blocks; b += threads) {
                        write(overlay, b * 8 + 1, filled(1, b));   // part of the block: a copy, then the write
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(overlay.map().heldBlocks()).isEqualTo(blocks);
        assertThat(overlay.map().ranges()).containsExactly(new BlockRange(0, blocks));
        overlay.flush();
        disk.crash(CrashableDisk.Loss.ALL_UNFLUSHED);
        Overlay reopened = Overlay.open(base, data, mapFile, false, new ClientStats());
        for (int b = 0; b < blocks; b++) {
            assertThat(read(reopened, b * 8, 2)).isEqualTo(concat(baseSectors(b * 8, 1), filled(1, b)));
        }
    }

    @Test
    void anOverlayForAnotherDeviceSizeIsRefused() throws Exception {
        CrashableDisk.Store otherMap = disk.store(OverlayMap.fileBytes(4096) / 512, false);
        OverlayMap.format(otherMap, 4096);
        assertThatThrownBy(() -> Overlay.open(base, data, otherMap, false, stats))
                .hasMessageContaining("overlay is for a device of 4096 bytes");
    }

    static byte[] concat(byte[]... parts) {
        int length = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }
}
