package dev.aoe.target.overlay;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Counters of one overlay client; cheap to bump from many threads. */
public final class ClientStats {

    /** What is counted. */
    public enum Counter {
        READS, WRITES, FLUSHES, BYTES_READ, BYTES_WRITTEN,
        /** Blocks that entered the overlay, whether copied from the base or wholly overwritten. */
        BLOCKS_ADDED,
        /** Blocks copied from the base because a write covered only part of them. */
        BLOCKS_COPIED
    }

    private final LongAdder[] counters = new LongAdder[Counter.values().length];

    public ClientStats() {
        for (int i = 0; i < counters.length; i++) {
            counters[i] = new LongAdder();
        }
    }

    void add(Counter counter, long amount) {
        counters[counter.ordinal()].add(amount);
    }

    void increment(Counter counter) {
        counters[counter.ordinal()].increment();
    }

    public long get(Counter counter) {
        return counters[counter.ordinal()].sum();
    }

    /** Every counter in declaration order, named in lower case. */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Counter c : Counter.values()) {
            m.put(c.name().toLowerCase(Locale.ROOT), get(c));
        }
        return m;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        snapshot().forEach((k, v) -> sb.append(sb.length() == 0 ? "" : " ").append(k).append('=').append(v));
        return sb.toString();
    }
}
