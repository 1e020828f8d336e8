package dev.aoe.target;

import java.util.concurrent.TimeUnit;

/**
 * The writes an export served recently, per initiator MAC, so that a copy of an old WRITE frame that
 * arrives late (a duplicating switch, a second path) is answered from the record instead of being
 * written again over newer data. Linux's initiator takes a new tag for every retransmission, so only
 * exact copies repeat a tag: an entry matches on MAC, tag, LBA, sector count and a checksum of the
 * data.
 * <p>
 * Each client keeps its last {@value #WINDOW} writes for at most {@value #LIFETIME_SECONDS} s: the
 * window is sixteen times the largest window our target advertises by default (64 buffers), so a copy
 * delayed while the client wrote a thousand more frames is still caught; copies from a switch arrive
 * within milliseconds. The lifetime is the initiator's default dead time: by then the initiator has
 * given up on its request, so a frame that old is not a copy of anything it still waits for. At
 * most {@value #MAX_CLIENTS} clients are tracked per export (about 36 KiB each); beyond that the
 * least recently seen one is forgotten. Nothing is allocated per frame once a client is known.
 */
final class WriteHistory {

    static final int WINDOW = 1024;
    static final int LIFETIME_SECONDS = 30;
    static final int MAX_CLIENTS = 256;
    private static final long LIFETIME_NANOS = TimeUnit.SECONDS.toNanos(LIFETIME_SECONDS);
    private static final int INDEX = 2 * WINDOW;

    /** What became of a write seen before: still being served, or done with this ATA status. */
    static final int UNKNOWN = -1;
    static final int IN_PROGRESS = -2;

    private volatile Client[] clients = new Client[0];

    /** One initiator's last writes: a ring in arrival order and an open-addressed index by tag. */
    private static final class Client {
        final long mac;
        volatile long lastSeenNanos;
        final int[] tags = new int[WINDOW];
        final long[] lbas = new long[WINDOW];
        final short[] counts = new short[WINDOW];
        final int[] checksums = new int[WINDOW];
        final long[] times = new long[WINDOW];
        final int[] results = new int[WINDOW];
        /** Ring positions + 1 by tag hash; 0 is empty. */
        final int[] index = new int[INDEX];
        int next;
        int size;

        Client(long mac) {
            this.mac = mac;
        }

        int find(int tag, long lba, int count, int checksum, long now) {
            for (int i = hash(tag); ; i = (i + 1) & (INDEX - 1)) {
                int at = index[i] - 1;
                if (at < 0) {
                    return -1;
                }
                if (tags[at] == tag && lbas[at] == lba && counts[at] == count && checksums[at] == checksum
                        && now - times[at] < LIFETIME_NANOS) {
                    return at;
                }
            }
        }

        void add(int tag, long lba, int count, int checksum, int result, long now) {
            if (size == WINDOW) {
                remove(next);
            } else {
                size++;
            }
            int at = next;
            next = (next + 1) & (WINDOW - 1);
            tags[at] = tag;
            lbas[at] = lba;
            counts[at] = (short) count;
            checksums[at] = checksum;
            times[at] = now;
            results[at] = result;
            int i = hash(tag);
            while (index[i] != 0) {
                i = (i + 1) & (INDEX - 1);
            }
            index[i] = at + 1;
        }

        /** Removes ring position {@code at} from the index, shifting later entries of its run back. */
        private void remove(int at) {
            int i = hash(tags[at]);
            while (index[i] - 1 != at) {
                i = (i + 1) & (INDEX - 1);
            }
            index[i] = 0;
            for (int j = (i + 1) & (INDEX - 1); index[j] != 0; j = (j + 1) & (INDEX - 1)) {
                int moved = index[j];
                index[j] = 0;
                int k = hash(tags[moved - 1]);
                while (index[k] != 0) {
                    k = (k + 1) & (INDEX - 1);
                }
                index[k] = moved;
            }
        }

        private static int hash(int tag) {
            int h = tag * 0x9E3779B9;
            return (h ^ (h >>> 16)) & (INDEX - 1);
        }
    }

    /**
     * Looks a write up and, when it is new, records it as in progress. Returns {@link #UNKNOWN} for a
     * new write (serve it, then {@link #complete}), {@link #IN_PROGRESS} for a copy of one still being
     * served (drop it: the original's answer will come), or the ATA status the original got.
     */
    int begin(long mac, int tag, long lba, int count, int checksum) {
        long now = System.nanoTime();
        Client c = client(mac, now);
        synchronized (c) {
            int at = c.find(tag, lba, count, checksum, now);
            if (at >= 0) {
                return c.results[at];
            }
            c.add(tag, lba, count, checksum, IN_PROGRESS, now);
            return UNKNOWN;
        }
    }

    /** The write begun with the same arguments was answered with {@code status}. */
    void complete(long mac, int tag, long lba, int count, int checksum, int status) {
        long now = System.nanoTime();
        Client c = client(mac, now);
        synchronized (c) {
            int at = c.find(tag, lba, count, checksum, now);
            if (at >= 0) {
                c.results[at] = status;
            }
        }
    }

    /** The write begun with the same arguments was not served after all (dropped): a copy may be served. */
    void forget(long mac, int tag, long lba, int count, int checksum) {
        long now = System.nanoTime();
        Client c = client(mac, now);
        synchronized (c) {
            int at = c.find(tag, lba, count, checksum, now);
            if (at >= 0) {
                c.times[at] = now - LIFETIME_NANOS;
            }
        }
    }

    private Client client(long mac, long now) {
        for (Client c : clients) {
            if (c.mac == mac) {
                c.lastSeenNanos = now;
                return c;
            }
        }
        return addClient(mac, now);
    }

    private synchronized Client addClient(long mac, long now) {
        Client[] current = clients;
        for (Client c : current) {
            if (c.mac == mac) {
                return c;
            }
        }
        Client added = new Client(mac);
        added.lastSeenNanos = now;
        Client[] next;
        if (current.length < MAX_CLIENTS) {
            next = java.util.Arrays.copyOf(current, current.length + 1);
            next[current.length] = added;
        } else {
            next = current.clone();
            int oldest = 0;
            for (int i = 1; i < next.length; i++) {
                if (next[i].lastSeenNanos < next[oldest].lastSeenNanos) {
                    oldest = i;
                }
            }
            next[oldest] = added;
        }
        clients = next;
        return added;
    }
}
