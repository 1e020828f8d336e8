package dev.aoe.target.overlay;

import dev.aoe.target.store.BlockStore;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Block stores in memory with a disk's volatile write cache: a write is readable at once but durable
 * only after a flush (or at once for a store opened {@code sync}, like O_DSYNC). {@link #crash} loses
 * what is not durable, all of it or a random part: each sector ends at some point of its history
 * since the last flush, which covers any order the page cache writes back in and torn multi-sector
 * writes. {@link #cutPowerAfter} makes a later write or flush fail midway, so a crash can land inside one.
 * Sectors never written read as zeros, like the holes of a sparse file.
 */
final class CrashableDisk {

    /** What a crash loses. */
    enum Loss { ALL_UNFLUSHED, SOME_UNFLUSHED }

    private final List<Store> stores = new ArrayList<>();
    private final Random random;
    private int operationsLeft = Integer.MAX_VALUE;
    private boolean off;

    CrashableDisk(long seed) {
        this.random = new Random(seed);
    }

    synchronized Store store(long sectors, boolean sync) {
        Store s = new Store(sectors, sync);
        stores.add(s);
        return s;
    }

    /** The write or flush after {@code operations} more fails, as does everything after it, until {@link #crash}. */
    synchronized void cutPowerAfter(int operations) {
        operationsLeft = operations;
    }

    /** Loses what was not durable and brings the power back. */
    synchronized void crash(Loss loss) {
        for (Store s : stores) {
            s.crash(loss);
        }
        operationsLeft = Integer.MAX_VALUE;
        off = false;
    }

    private synchronized int random(int bound) {
        return random.nextInt(bound);
    }

    /** What the power does to the operation starting now. */
    private enum Power { ON, FAILS_NOW, OFF }

    private synchronized Power power() {
        if (off) {
            return Power.OFF;
        }
        if (operationsLeft == 0) {
            off = true;
            return Power.FAILS_NOW;
        }
        if (operationsLeft != Integer.MAX_VALUE) {
            operationsLeft--;
        }
        return Power.ON;
    }

    /** One store of the disk. */
    final class Store implements BlockStore {

        private final long sectors;
        private final boolean sync;
        private final Map<Long, byte[]> durable = new HashMap<>();
        /** Each sector's writes since the last flush, oldest first. */
        private final Map<Long, List<byte[]>> pending = new HashMap<>();

        private Store(long sectors, boolean sync) {
            this.sectors = sectors;
            this.sync = sync;
        }

        @Override
        public long sectors() {
            return sectors;
        }

        @Override
        public boolean readOnly() {
            return false;
        }

        @Override
        public synchronized void read(long lba, int count, ByteBuf dst) throws IOException {
            check(lba, count);
            for (long s = lba; s < lba + count; s++) {
                dst.writeBytes(current(s));
            }
        }

        synchronized byte[] current(long sector) {
            List<byte[]> history = pending.get(sector);
            if (history != null) {
                return history.get(history.size() - 1);
            }
            return durable.getOrDefault(sector, new byte[SECTOR_SIZE]);
        }

        /** The sector as it is on the medium, ignoring the cache. */
        synchronized byte[] onMedium(long sector) {
            return durable.getOrDefault(sector, new byte[SECTOR_SIZE]);
        }

        @Override
        public synchronized void write(long lba, int count, ByteBuf src, int srcIndex) throws IOException {
            check(lba, count);
            Power power = power();   // when it fails during a write, the sectors before some point reach the cache
            int reached = power == Power.ON ? count : power == Power.OFF ? 0 : random(count + 1);
            for (int i = 0; i < reached; i++) {
                byte[] sector = new byte[SECTOR_SIZE];
                src.getBytes(srcIndex + i * SECTOR_SIZE, sector);
                if (sync) {
                    durable.put(lba + i, sector);
                } else {
                    pending.computeIfAbsent(lba + i, k -> new ArrayList<>()).add(sector);
                }
            }
            if (reached < count) {
                throw new IOException("power cut");
            }
        }

        @Override
        public synchronized void flush() throws IOException {
            if (power() != Power.ON) {
                throw new IOException("power cut");
            }
            pending.forEach((sector, history) -> durable.put(sector, history.get(history.size() - 1)));
            pending.clear();
        }

        private synchronized void crash(Loss loss) {
            if (loss == Loss.SOME_UNFLUSHED) {
                pending.forEach((sector, history) -> {
                    int kept = random(history.size() + 1);   // how far this sector's writeback got
                    if (kept > 0) {
                        durable.put(sector, history.get(kept - 1));
                    }
                });
            }
            pending.clear();
        }

        private void check(long lba, int count) throws IOException {
            if (lba < 0 || count < 0 || lba + count > sectors) {
                throw new IOException("sectors " + lba + "+" + count + " outside 0.." + sectors);
            }
        }

        @Override
        public void close() {
        }
    }
}
