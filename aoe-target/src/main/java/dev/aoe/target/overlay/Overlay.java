package dev.aoe.target.overlay;

import static dev.aoe.target.overlay.OverlayMap.SECTORS_PER_BLOCK;

import dev.aoe.target.overlay.ClientStats.Counter;
import dev.aoe.target.store.BlockStore;
import dev.aoe.target.store.RangeLocks;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;

/**
 * One client's copy-on-write view of a read-only base: blocks the {@link OverlayMap} holds are read
 * from {@code data} (a store of the device's size, meaningful only where the map says), every other
 * block from the base. A write into a block the overlay does not hold yet first copies that block
 * from the base, unless the write covers all of it; the block enters the map once its data is written.
 *
 * <p>Durability: {@link #flush} stages the map's changed pages, syncs {@code data}, then writes the map
 * (see {@link OverlayMap} for why in that order). With {@code sync}, {@code data} is opened so that
 * every write is durable when it returns (O_DSYNC), and a write that adds blocks ends with a flush:
 * an acknowledged write is then on disk in both files.
 *
 * <p>The overlay owns none of its stores: whoever opened them closes them.
 */
final class Overlay {

    /** A write completed since the last flush began (a volatile store per write, nothing more). */
    private volatile boolean unflushed;

    private static final int MAX_SECTORS = 256;

    private final BlockStore base;
    private final BlockStore data;
    private final OverlayMap map;
    private final boolean sync;
    private final ClientStats stats;
    private final RangeLocks locks = new RangeLocks();
    private final Object flushLock = new Object();

    Overlay(BlockStore base, BlockStore data, OverlayMap map, boolean sync, ClientStats stats) throws IOException {
        if (map.deviceBytes() != base.sectors() * BlockStore.SECTOR_SIZE || data.sectors() < base.sectors()) {
            throw new IOException("overlay is for a device of " + map.deviceBytes() + " bytes (data file "
                    + data.sectors() * BlockStore.SECTOR_SIZE + " bytes), the base has "
                    + base.sectors() * BlockStore.SECTOR_SIZE);
        }
        this.base = base;
        this.data = data;
        this.map = map;
        this.sync = sync;
        this.stats = stats;
    }

    /** Opens the overlay whose map is in {@code mapFile} (made by {@link OverlayMap#format}). */
    static Overlay open(BlockStore base, BlockStore data, BlockStore mapFile, boolean sync, ClientStats stats)
            throws IOException {
        return new Overlay(base, data, OverlayMap.load(mapFile), sync, stats);
    }

    OverlayMap map() {
        return map;
    }

    long sectors() {
        return base.sectors();
    }

    /** Appends sectors to {@code dst}, each block from the overlay when it holds it, else from the base. */
    void read(long lba, int count, ByteBuf dst) throws IOException {
        checkRange(lba, count);
        long position = lba * BlockStore.SECTOR_SIZE;
        int length = count * BlockStore.SECTOR_SIZE;
        locks.lock(position, length, false);
        try {
            long end = lba + count;
            long at = lba;
            while (at < end) {   // runs of blocks with the same source, one store read each
                boolean held = map.holds(at / SECTORS_PER_BLOCK);
                long runEnd = Math.min(end, blockEnd(at));
                while (runEnd < end && map.holds(runEnd / SECTORS_PER_BLOCK) == held) {
                    runEnd = Math.min(end, blockEnd(runEnd));
                }
                (held ? data : base).read(at, (int) (runEnd - at), dst);
                at = runEnd;
            }
        } finally {
            locks.unlock(position, length, false);
        }
    }

    /** Writes sectors into the overlay, first copying from the base the edge blocks it covers only in part. */
    void write(long lba, int count, ByteBuf src, int srcIndex) throws IOException {
        checkRange(lba, count);
        if (count == 0) {
            return;
        }
        long position = lba * BlockStore.SECTOR_SIZE;
        int length = count * BlockStore.SECTOR_SIZE;
        long first = lba / SECTORS_PER_BLOCK;
        long last = (lba + count - 1) / SECTORS_PER_BLOCK;
        boolean added = false;
        locks.lock(position, length, true);   // whole 64 KiB chunks: the edge blocks are under the lock too
        try {
            copyIn(first, lba, count);
            if (last != first) {
                copyIn(last, lba, count);
            }
            data.write(lba, count, src, srcIndex);
            for (long b = first; b <= last; b++) {
                if (map.add(b)) {
                    stats.increment(Counter.BLOCKS_ADDED);
                    added = true;
                }
            }
        } finally {
            locks.unlock(position, length, true);
        }
        unflushed = true;
        if (sync && added) {
            flush();
        }
    }

    /** Flushes when a write completed since the last flush began; true when it did. */
    boolean flushIfWritten() throws IOException {
        if (!unflushed) {
            return false;
        }
        flush();
        return true;
    }

    /** Copies block {@code b} from the base into the overlay unless it holds it or the write covers all of it. */
    private void copyIn(long b, long lba, int count) throws IOException {
        long start = b * SECTORS_PER_BLOCK;
        long end = Math.min(start + SECTORS_PER_BLOCK, base.sectors());
        if (map.holds(b) || (lba <= start && end <= lba + count)) {
            return;
        }
        int sectors = (int) (end - start);
        ByteBuf block = ByteBufAllocator.DEFAULT.heapBuffer(sectors * BlockStore.SECTOR_SIZE);
        try {
            base.read(start, sectors, block);
            data.write(start, sectors, block, block.readerIndex());
        } finally {
            block.release();
        }
        stats.increment(Counter.BLOCKS_COPIED);
    }

    /** Makes every completed write durable: the data first, then the map that names it. */
    void flush() throws IOException {
        synchronized (flushLock) {
            unflushed = false;   // a write completing from here on sets it again, for the next flush
            OverlayMap.Staged staged = map.stage();
            boolean written = false;
            try {
                data.flush();
                map.write(staged);
                written = true;
            } finally {
                if (!written) {
                    map.unstage(staged);
                }
            }
        }
    }

    private static long blockEnd(long lba) {
        return (lba / SECTORS_PER_BLOCK + 1) * SECTORS_PER_BLOCK;
    }

    private void checkRange(long lba, int count) throws IOException {
        if (lba < 0 || count < 0 || count > MAX_SECTORS || lba + count > base.sectors()) {
            throw new IOException("sectors " + lba + "+" + count + " outside 0.." + base.sectors());
        }
    }
}
