package dev.aoe.target.store;

import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Read-write locks over 64 KiB chunks of a store, striped 256 ways by chunk number. A request of up
 * to 256 sectors covers at most three consecutive chunks, so at most three consecutive stripes
 * (wrapping at 256), always taken in ascending stripe order: no deadlock, and no allocation.
 */
public final class RangeLocks {

    static final int CHUNK_SHIFT = 16;
    private static final int STRIPES = 256;

    private final ReentrantReadWriteLock[] stripes = new ReentrantReadWriteLock[STRIPES];

    public RangeLocks() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantReadWriteLock();
        }
    }

    /** Locks the chunks under bytes {@code [position, position + length)}; {@code length} at most 128 KiB. */
    public void lock(long position, int length, boolean write) {
        int first = first(position);
        int count = count(position, length);
        if (first + count > STRIPES) {
            lockRun(0, first + count - STRIPES, write);
            lockRun(first, STRIPES - first, write);
        } else {
            lockRun(first, count, write);
        }
    }

    public void unlock(long position, int length, boolean write) {
        int first = first(position);
        int count = count(position, length);
        for (int i = 0; i < count; i++) {
            ReentrantReadWriteLock l = stripes[(first + i) & (STRIPES - 1)];
            if (write) {
                l.writeLock().unlock();
            } else {
                l.readLock().unlock();
            }
        }
    }

    private void lockRun(int from, int count, boolean write) {
        for (int i = from; i < from + count; i++) {
            if (write) {
                stripes[i].writeLock().lock();
            } else {
                stripes[i].readLock().lock();
            }
        }
    }

    private static int first(long position) {
        return (int) ((position >>> CHUNK_SHIFT) & (STRIPES - 1));
    }

    private static int count(long position, int length) {
        long last = (position + Math.max(length, 1) - 1) >>> CHUNK_SHIFT;
        return (int) (last - (position >>> CHUNK_SHIFT) + 1);
    }
}
