package dev.aoe.target;

import dev.aoe.ata.IdentifyData;
import dev.aoe.target.store.BlockStore;
import dev.aoe.target.store.ClientStores;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** One exported shelf.slot: its sectors, its mutable state, its limits and its counters. */
public final class Export {

    public static final int DEFAULT_BUFFER_COUNT = 64;
    /** Linux computes its window as bufcnt/2; below 2 a device is silently unusable (OpenAoE/aoe#7). */
    public static final int MIN_BUFFER_COUNT = 2;
    public static final int FIRMWARE_VERSION = 0x0100;
    public static final int MAX_SHELF = 0xFFFE;
    public static final int MAX_SLOT = 0xFE;

    private final int shelf;
    private final int slot;
    private final BlockStore store;
    private volatile ClientStores clients;
    private final ExportState state;
    private final int bufferCount;
    private final String hostname;
    /** IDENTIFY data and the size it was made for, replaced together when the store's size changes. */
    private volatile Identity identity = new Identity(-1, null);

    private record Identity(long sectors, byte[] data) {
    }
    private final ExportStats stats = new ExportStats();
    private final WriteHistory writes = new WriteHistory();
    private volatile LatencyRecorder latency;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong lastFailureLogNanos = new AtomicLong(System.nanoTime() - FAILURE_LOG_NANOS);
    private static final long FAILURE_LOG_NANOS = TimeUnit.SECONDS.toNanos(10);

    public Export(int shelf, int slot, BlockStore store, ExportState state, int bufferCount, String hostname) {
        if (shelf < 0 || shelf > MAX_SHELF) {
            throw new IllegalArgumentException("shelf " + shelf + " is outside 0.." + MAX_SHELF
                    + " (65535 is the broadcast shelf)");
        }
        if (slot < 0 || slot > MAX_SLOT) {
            throw new IllegalArgumentException("slot " + slot + " is outside 0.." + MAX_SLOT
                    + " (255 is the broadcast slot)");
        }
        if (bufferCount < MIN_BUFFER_COUNT || bufferCount > 0xFFFF) {
            throw new IllegalArgumentException("buffer count " + bufferCount + " is outside " + MIN_BUFFER_COUNT
                    + "..65535 (Linux cannot use a target that advertises fewer than 2)");
        }
        this.shelf = shelf;
        this.slot = slot;
        this.store = store;
        this.state = state;
        this.bufferCount = bufferCount;
        this.hostname = hostname;
    }

    public String name() {
        return "e" + shelf + "." + slot;
    }

    public int shelf() {
        return shelf;
    }

    public int slot() {
        return slot;
    }

    /** The export's own store: the file, or the shared base of client overlays. */
    public BlockStore store() {
        return store;
    }

    /** The store a request from {@code mac} uses: the client's, when the export has per-client stores. */
    public BlockStore storeFor(long mac) {
        ClientStores c = clients;
        return c == null ? store : c.forClient(mac);
    }

    /** Gives each client a store of its own (copy-on-write overlays); null serves everyone from {@link #store()}. */
    public void clients(ClientStores value) {
        this.clients = value;
    }

    public ExportState state() {
        return state;
    }

    public int bufferCount() {
        return bufferCount;
    }

    public ExportStats stats() {
        return stats;
    }

    /** Where request latencies go, or null when nobody asked for them. */
    public LatencyRecorder latency() {
        return latency;
    }

    /** From now on, time every ATA request (two clock reads each) into {@code recorder}; null stops it. */
    public void latency(LatencyRecorder recorder) {
        this.latency = recorder;
    }

    /** True at most once every ten seconds: whether an I/O failure gets a log line. */
    boolean mayLogFailure() {
        long now = System.nanoTime();
        long last = lastFailureLogNanos.get();
        return now - last >= FAILURE_LOG_NANOS && lastFailureLogNanos.compareAndSet(last, now);
    }

    /** Requests taken by the I/O pool and not yet answered (always 0 when served on the receive threads). */
    public int inFlight() {
        return inFlight.get();
    }

    /** Recently served writes per client, to answer late copies of them without writing again. */
    WriteHistory writes() {
        return writes;
    }

    /** The 512 bytes of IDENTIFY DEVICE data, for the store's current size; do not modify. */
    byte[] identify() {
        long sectors = store.sectors();
        Identity id = identity;
        if (id.sectors() != sectors) {
            id = new Identity(sectors, IdentifyData.builder()
                    .serial(shelf + "." + slot + ":" + hostname)
                    .firmware("V" + Integer.toHexString(FIRMWARE_VERSION))
                    .model("AoE Java target")
                    .sectors(sectors)
                    .build().toBytes());
            identity = id;
        }
        return id.data();
    }

    /** Takes one of the buffer-count slots; false when all are in use and the request must be dropped. */
    boolean tryAcquire() {
        if (inFlight.incrementAndGet() > bufferCount) {
            inFlight.decrementAndGet();
            return false;
        }
        return true;
    }

    void release() {
        inFlight.decrementAndGet();
    }

    /** Whether a request to {@code major.minor} (maybe broadcast) is for this export. */
    public boolean matches(int major, int minor) {
        return (major == shelf || major == 0xFFFF) && (minor == slot || minor == 0xFF);
    }

    @Override
    public String toString() {
        return name() + " " + store;
    }
}
