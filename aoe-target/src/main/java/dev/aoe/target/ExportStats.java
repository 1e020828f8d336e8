package dev.aoe.target;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Counters of one export, or of one interface; cheap to bump from many threads. */
public final class ExportStats {

    /** What is counted. */
    public enum Counter {
        ATA_READ, ATA_WRITE, ATA_OTHER, CONFIG, MASK, RESERVE, UNKNOWN_COMMAND,
        BYTES_READ, BYTES_WRITTEN, FLUSHES, AOE_ERRORS, ATA_ERRORS,
        DROPPED_MASKED, DROPPED_BUSY, DROPPED_MALFORMED, DUPLICATE_WRITES, BROADCASTS,
        REPLIES, FRAMES_RECEIVED, FRAMES_IGNORED, FRAMES_SENT
    }

    private final LongAdder[] counters = new LongAdder[Counter.values().length];

    public ExportStats() {
        for (int i = 0; i < counters.length; i++) {
            counters[i] = new LongAdder();
        }
    }

    public void add(Counter counter, long amount) {
        counters[counter.ordinal()].add(amount);
    }

    public void increment(Counter counter) {
        counters[counter.ordinal()].increment();
    }

    public long get(Counter counter) {
        return counters[counter.ordinal()].sum();
    }

    /** The non-zero counters, in declaration order, named in lower case. */
    public Map<String, Long> snapshot() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Counter c : Counter.values()) {
            long v = get(c);
            if (v != 0) {
                m.put(c.name().toLowerCase(), v);
            }
        }
        return m;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        snapshot().forEach((k, v) -> sb.append(sb.length() == 0 ? "" : " ").append(k).append('=').append(v));
        return sb.length() == 0 ? "idle" : sb.toString();
    }
}
