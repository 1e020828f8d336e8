package dev.aoe.target.overlay;

/**
 * MAC (held in a long) to client, looked up on every request: open addressing with linear probing in
 * arrays that are never changed once published, so a lookup takes no lock, boxes nothing and allocates
 * nothing. An addition (a MAC's first request) copies the arrays; they stay at most half full.
 */
final class ClientTable {

    private record Table(long[] macs, OverlayClient[] clients) {
    }

    private volatile Table table = new Table(new long[16], new OverlayClient[16]);
    private int size;

    /** The client of {@code mac}, or null. */
    OverlayClient get(long mac) {
        Table t = table;
        int mask = t.macs().length - 1;
        for (int i = slot(mac) & mask; ; i = (i + 1) & mask) {
            OverlayClient c = t.clients()[i];
            if (c == null || t.macs()[i] == mac) {
                return c;
            }
        }
    }

    /** Adds a MAC not in the table yet. */
    synchronized void add(long mac, OverlayClient client) {
        Table old = table;
        int capacity = old.macs().length;
        while (2 * (size + 1) > capacity) {
            capacity *= 2;
        }
        Table grown = new Table(new long[capacity], new OverlayClient[capacity]);
        for (int i = 0; i < old.macs().length; i++) {
            if (old.clients()[i] != null) {
                insert(grown, old.macs()[i], old.clients()[i]);
            }
        }
        insert(grown, mac, client);
        size++;
        table = grown;
    }

    private static void insert(Table t, long mac, OverlayClient client) {
        int mask = t.macs().length - 1;
        int i = slot(mac) & mask;
        while (t.clients()[i] != null) {
            i = (i + 1) & mask;
        }
        t.macs()[i] = mac;
        t.clients()[i] = client;
    }

    /** Fibonacci hashing: MACs of one vendor differ only in their low bits. */
    private static int slot(long mac) {
        return (int) ((mac * 0x9E37_79B9_7F4A_7C15L) >>> 32);
    }
}
