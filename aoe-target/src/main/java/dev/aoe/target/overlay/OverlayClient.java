package dev.aoe.target.overlay;

import dev.aoe.ethernet.MacAddress;
import dev.aoe.target.overlay.ClientStats.Counter;
import dev.aoe.target.store.BlockStore;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client of an overlay export (one MAC, or a {@link ClientGroup}'s MACs): the store its requests
 * read, write and flush. Until the client first writes, it reads the base and nothing is created; that
 * first write creates its overlay. An overlay an earlier run left in the directory is opened on the
 * client's first request.
 */
public final class OverlayClient implements BlockStore {

    private static final Logger log = LoggerFactory.getLogger(OverlayClient.class);

    private final String name;
    private final List<MacAddress> macs;
    private final BlockStore base;
    private final OverlayDirectory directory;
    private final OverlayOptions options;
    private final ClientStats stats = new ClientStats();
    private volatile Overlay overlay;
    /** The directory has an overlay of this client that is not open (yet). */
    private volatile boolean onDisk;
    private OverlayDirectory.Held held;

    OverlayClient(String name, List<MacAddress> macs, BlockStore base, OverlayDirectory directory,
                  OverlayOptions options) {
        this.name = name;
        this.macs = List.copyOf(macs);
        this.base = base;
        this.directory = directory;
        this.options = options;
        this.onDisk = directory != null && directory.exists(name);
    }

    public String name() {
        return name;
    }

    public List<MacAddress> macs() {
        return macs;
    }

    public ClientStats stats() {
        return stats;
    }

    /** Whether the client has an overlay open (it wrote, or an earlier run's overlay was opened). */
    public boolean hasOverlay() {
        return overlay != null;
    }

    /** Blocks the open overlay holds, 0 without one. */
    public long heldBlocks() {
        Overlay o = overlay;
        return o == null ? 0 : o.map().heldBlocks();
    }

    @Override
    public long sectors() {
        return base.sectors();
    }

    @Override
    public boolean readOnly() {
        return false;
    }

    @Override
    public void read(long lba, int count, ByteBuf dst) throws IOException {
        Overlay o = overlay(false);
        if (o == null) {
            base.read(lba, count, dst);
        } else {
            o.read(lba, count, dst);
        }
        stats.increment(Counter.READS);
        stats.add(Counter.BYTES_READ, (long) count * SECTOR_SIZE);
    }

    @Override
    public void write(long lba, int count, ByteBuf src, int srcIndex) throws IOException {
        overlay(true).write(lba, count, src, srcIndex);
        stats.increment(Counter.WRITES);
        stats.add(Counter.BYTES_WRITTEN, (long) count * SECTOR_SIZE);
    }

    @Override
    public void flush() throws IOException {
        Overlay o = overlay;   // an overlay not open has nothing unflushed
        if (o != null) {
            o.flush();
        }
        stats.increment(Counter.FLUSHES);
    }

    /** The periodic write-back: flushes the overlay when it was written since its last flush. */
    void writeBack() throws IOException {
        Overlay o = overlay;
        if (o != null && o.flushIfWritten()) {
            stats.increment(Counter.FLUSHES);
        }
    }

    private Overlay overlay(boolean create) throws IOException {
        Overlay o = overlay;
        if (o != null || !(create || onDisk)) {
            return o;
        }
        synchronized (this) {
            if (overlay == null && (create || onDisk)) {
                overlay = load(create);
            }
            return overlay;
        }
    }

    /** Opens the client's overlay, or creates it when {@code create}; null when there is none to open. */
    private Overlay load(boolean create) throws IOException {
        long deviceBytes = base.sectors() * SECTOR_SIZE;
        if (directory == null) {
            return new Overlay(base, new MemoryBlocks(name, base.sectors(), options.memoryCapBytes()),
                    OverlayMap.inMemory(deviceBytes), false, stats);
        }
        OverlayDirectory.Held h = onDisk ? directory.open(name, macs, options.sync()) : null;
        if (h == null) {
            onDisk = false;
            if (!create) {
                return null;
            }
            h = directory.create(name, macs, deviceBytes, options.sync());
            log.info("{}: overlay of {} created in {}", directory, name, h.path);
        }
        try {
            Overlay opened = Overlay.open(base, h.data, h.map, options.sync(), stats);
            held = h;
            onDisk = true;
            return opened;
        } catch (IOException | RuntimeException e) {
            h.close();
            throw new IOException(h.path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Lets go of the overlay if {@code aoe overlay reset --force} renamed its directory away: the client
     * reads the base from its next request on. Requests already running finish on the old files.
     */
    boolean dropIfReset() throws IOException {
        OverlayDirectory.Held h;
        synchronized (this) {
            if (held == null || held.inPlace()) {
                return false;
            }
            h = held;
            held = null;
            overlay = null;
            onDisk = false;
        }
        log.info("{}: overlay of {} was reset; serving it the base", directory, name);
        h.close();
        return true;
    }

    /** Flushes and closes the client's overlay, if open, and lets go of its lock. */
    @Override
    public synchronized void close() throws IOException {
        Overlay o = overlay;
        overlay = null;
        if (o == null) {
            return;
        }
        try {
            o.flush();
        } finally {
            if (held != null) {
                held.close();
                held = null;
                onDisk = true;
            }
        }
    }

    @Override
    public String toString() {
        return name + " " + macs;
    }
}
