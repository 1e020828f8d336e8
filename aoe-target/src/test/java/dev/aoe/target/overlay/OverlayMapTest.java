package dev.aoe.target.overlay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class OverlayMapTest {

    static final long GIB = 1L << 30;

    final CrashableDisk disk = new CrashableDisk(1);

    CrashableDisk.Store formatted(long deviceBytes) throws IOException {
        CrashableDisk.Store file = disk.store(OverlayMap.fileBytes(deviceBytes) / 512, false);
        OverlayMap.format(file, deviceBytes);
        return file;
    }

    static long slotLba(int page, int slot) {
        return 8L * (1 + 2 * page + slot);
    }

    static void corrupt(CrashableDisk.Store file, long lba) throws IOException {
        ByteBuf sector = Unpooled.buffer(512);
        file.read(lba, 1, sector);
        sector.setByte(100, sector.getByte(100) ^ 0x01);
        file.write(lba, 1, sector, 0);
        sector.release();
    }

    @Test
    void sizesFollowTheFormat() {
        assertThat(OverlayMap.BLOCKS_PER_PAGE).isEqualTo(32_640);
        assertThat(OverlayMap.blocksOf(GIB)).isEqualTo(262_144);
        assertThat(OverlayMap.fileBytes(GIB)).as("header + 9 pages × 2 slots").isEqualTo(4096 * 19);
        assertThat(OverlayMap.fileBytes(4096)).isEqualTo(4096 * 3);
        assertThat(OverlayMap.blocksOf(4097)).as("a short last block").isEqualTo(2);
    }

    @Test
    void aNewMapHoldsNothing() throws Exception {
        OverlayMap map = OverlayMap.load(formatted(GIB));
        assertThat(map.deviceBytes()).isEqualTo(GIB);
        assertThat(map.heldBlocks()).isZero();
        assertThat(map.nextHeld(0)).isEqualTo(-1);
        assertThat(map.ranges()).isEmpty();
    }

    @Test
    void blocksInEveryPageSurviveAWriteAndALoad() throws Exception {
        long device = 400L << 20;   // 4 map pages
        CrashableDisk.Store file = formatted(device);
        OverlayMap map = OverlayMap.load(file);
        long[] blocks = {0, 63, 64, 32_639, 32_640, 70_000, 102_399};
        for (long b : blocks) {
            assertThat(map.add(b)).isTrue();
        }
        assertThat(map.add(64)).as("already held").isFalse();
        map.write(map.stage());

        OverlayMap loaded = OverlayMap.load(file);
        assertThat(loaded.heldBlocks()).isEqualTo(blocks.length);
        for (long b : blocks) {
            assertThat(loaded.holds(b)).as("block %d", b).isTrue();
        }
        assertThat(loaded.holds(1)).isFalse();
        assertThat(loaded.holds(32_641)).isFalse();
        assertThat(loaded.ranges()).containsExactly(new BlockRange(0, 1), new BlockRange(63, 2),
                new BlockRange(32_639, 2), new BlockRange(70_000, 1), new BlockRange(102_399, 1));
    }

    @Test
    void onlyChangedPagesAreStagedAndVersionsAlternateSlots() throws Exception {
        CrashableDisk.Store file = formatted(400L << 20);
        OverlayMap map = OverlayMap.load(file);
        map.add(40_000);   // page 1
        OverlayMap.Staged first = map.stage();
        assertThat(first.pages()).containsExactly(1);
        assertThat(first.versions()).containsExactly(1);
        map.write(first);
        assertThat(map.stage().pages()).as("nothing changed since").isEmpty();
        map.add(40_001);
        OverlayMap.Staged second = map.stage();
        assertThat(second.versions()).containsExactly(2);
        map.write(second);

        ByteBuf slots = Unpooled.buffer();
        file.read(slotLba(1, 0), 16, slots);
        assertThat(slots.getLong(0)).as("version 2 in slot 0").isEqualTo(2);
        assertThat(slots.getLong(4096)).as("version 1 in slot 1").isEqualTo(1);
        assertThat(slots.getInt(4096 + 8)).as("page number").isEqualTo(1);
        slots.release();
    }

    @Test
    void aTornNewestSlotLeavesThePreviousVersion() throws Exception {
        CrashableDisk.Store file = formatted(GIB);
        OverlayMap map = OverlayMap.load(file);
        map.add(5);
        map.write(map.stage());   // version 1, slot 1
        map.add(6);
        map.write(map.stage());   // version 2, slot 0
        corrupt(file, slotLba(0, 0));

        OverlayMap loaded = OverlayMap.load(file);
        assertThat(loaded.holds(5)).isTrue();
        assertThat(loaded.holds(6)).isFalse();
        loaded.add(7);
        OverlayMap.Staged next = loaded.stage();
        assertThat(next.versions()).as("rewrites the torn slot, keeps version 1").containsExactly(2);
        loaded.write(next);
        assertThat(OverlayMap.load(file).ranges()).containsExactly(new BlockRange(5, 1), new BlockRange(7, 1));
    }

    @Test
    void aPageWithBothSlotsDamagedIsAnError() throws Exception {
        CrashableDisk.Store file = formatted(GIB);
        OverlayMap map = OverlayMap.load(file);
        map.add(1);
        map.write(map.stage());
        map.add(2);
        map.write(map.stage());
        corrupt(file, slotLba(0, 0));
        corrupt(file, slotLba(0, 1));
        assertThatThrownBy(() -> OverlayMap.load(file)).isInstanceOf(IOException.class)
                .hasMessage("overlay map page 0 damaged: both copies fail their checksum");
    }

    @Test
    void aSlotOfAnotherPageIsNotTaken() throws Exception {
        CrashableDisk.Store file = formatted(400L << 20);
        OverlayMap map = OverlayMap.load(file);
        map.add(0);
        map.write(map.stage());   // page 0, version 1, slot 1
        ByteBuf slot = Unpooled.buffer();
        file.read(slotLba(0, 1), 8, slot);
        file.write(slotLba(2, 1), 8, slot, 0);   // a misdirected write: page 0's bytes in page 2's place
        slot.release();
        OverlayMap loaded = OverlayMap.load(file);
        assertThat(loaded.holds(0)).isTrue();
        assertThat(loaded.holds(2 * 32_640)).isFalse();
        assertThat(loaded.heldBlocks()).isEqualTo(1);
    }

    @Test
    void headersOfOtherFilesAndFormatsAreRefused() throws Exception {
        CrashableDisk.Store zeros = disk.store(OverlayMap.fileBytes(GIB) / 512, false);
        assertThatThrownBy(() -> OverlayMap.load(zeros)).hasMessage("not an overlay map (no AOEOVMAP magic)");

        CrashableDisk.Store file = formatted(GIB);
        ByteBuf header = Unpooled.buffer();
        file.read(0, 1, header);
        file.write(0, 1, header.copy().setInt(8, 2), 0);
        assertThatThrownBy(() -> OverlayMap.load(file)).hasMessage("overlay map format 2, this build reads 1");
        file.write(0, 1, header.copy().setLong(16, GIB * 2), 0);
        assertThatThrownBy(() -> OverlayMap.load(file)).hasMessage("overlay map header damaged (checksum)");
        header.release();

        CrashableDisk.Store shortFile = disk.store(OverlayMap.fileBytes(GIB) / 512 - 8, false);
        OverlayMap.format(shortFile, GIB);
        assertThatThrownBy(() -> OverlayMap.load(shortFile)).hasMessage("overlay map file is shorter than its header says");
    }

    @Test
    void aBlockSetAfterStagingStaysForTheNextFlush() throws Exception {
        CrashableDisk.Store file = formatted(GIB);
        OverlayMap map = OverlayMap.load(file);
        map.add(1);
        OverlayMap.Staged staged = map.stage();
        map.add(2);   // after the copy: its data may not be durable yet
        map.write(staged);
        assertThat(OverlayMap.load(file).holds(2)).isFalse();
        map.write(map.stage());
        assertThat(OverlayMap.load(file).holds(2)).isTrue();
    }

    @Test
    void aFailedWriteLeavesThePagesStaged() throws Exception {
        CrashableDisk.Store file = formatted(GIB);
        OverlayMap map = OverlayMap.load(file);
        map.add(9);
        OverlayMap.Staged staged = map.stage();
        disk.cutPowerAfter(0);
        assertThatThrownBy(() -> map.write(staged)).hasMessage("power cut");
        map.unstage(staged);
        disk.crash(CrashableDisk.Loss.ALL_UNFLUSHED);
        map.write(map.stage());
        assertThat(OverlayMap.load(file).holds(9)).isTrue();
    }
}
