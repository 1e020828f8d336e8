package dev.aoe.target.overlay;

import dev.aoe.ethernet.MacAddress;
import dev.aoe.target.store.BlockStore;
import dev.aoe.target.store.ClientStores;
import dev.aoe.target.store.FileBlockStore;
import dev.aoe.target.store.StoreException;
import dev.aoe.target.store.StoreOptions;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-client copy-on-write overlays of one export over a read-only base image:
 *
 * <pre>{@code
 * OverlayStore overlays = OverlayStore.open(image, storeOptions, OverlayOptions.persistent(dir));
 * Export export = new Export(shelf, slot, overlays.base(), state, bufferCount, hostname);
 * export.clients(overlays);
 * ...
 * overlays.close();   // after the targets stop: flushes every overlay, closes the base
 * }</pre>
 *
 * The base is opened read-only and locked shared for as long as the store is open; each client's
 * overlay is locked exclusively while open (see {@link OverlayDirectory}). A MAC's first request adds it
 * to a table; every later lookup is lock-free and allocates nothing.
 *
 * <p>Memory per client: under 1 KiB until it first writes (the table is never pruned); then its map,
 * 1 bit per 4 KiB block, 32 KiB per GiB of device; in a directory without {@code sync}, another 32 KiB
 * per GiB for the data file's record of pages already allocated ({@link FileBlockStore}); in memory,
 * its data, up to the cap. A 20 GiB image served to 50 clients that all wrote: 64 MiB.
 */
public final class OverlayStore implements ClientStores, Closeable {

    private static final Logger log = LoggerFactory.getLogger(OverlayStore.class);

    private final FileBlockStore base;
    private final FileChannel baseLock;
    private final OverlayOptions options;
    private final OverlayDirectory directory;
    private final Map<Long, ClientGroup> groups = new HashMap<>();
    private final ClientTable table = new ClientTable();
    private final Map<String, OverlayClient> byName = new LinkedHashMap<>();
    private final ScheduledExecutorService upkeep;
    /** How often persistent overlays written since their last flush are flushed without being asked. */
    static final Duration WRITE_BACK = Duration.ofSeconds(5);

    private OverlayStore(FileBlockStore base, FileChannel baseLock, OverlayOptions options, OverlayDirectory directory) {
        this.base = base;
        this.baseLock = baseLock;
        this.options = options;
        this.directory = directory;
        for (ClientGroup g : options.clients()) {
            g.macs().forEach(mac -> groups.put(mac.value(), g));
        }
        if (directory != null && !options.resetCheck().isZero()) {
            upkeep = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "overlay-upkeep " + directory);
                t.setDaemon(true);
                return t;
            });
            long period = options.resetCheck().toMillis();
            upkeep.scheduleWithFixedDelay(this::checkResetsQuietly, period, period, TimeUnit.MILLISECONDS);
            if (options.mode() == OverlayOptions.Mode.PERSISTENT) {
                // initiators that never send FLUSH (Linux's aoe driver) still get their overlays on disk,
                // as a kernel's writeback would: data first, then the map, every few seconds
                long every = WRITE_BACK.toMillis();
                upkeep.scheduleWithFixedDelay(this::writeBackQuietly, every, every, TimeUnit.MILLISECONDS);
            }
        } else {
            upkeep = null;
        }
    }

    /**
     * Opens {@code image} read-only as the base (its window from {@code imageOptions}: offset, length,
     * direct; it is never created, extended or written) and the overlay directory, emptied first in
     * {@link OverlayOptions.Mode#EPHEMERAL} mode.
     *
     * @throws StoreException with a one-line reason: the image cannot be opened or is locked for writing,
     *                        the directory is served by another target or holds overlays of another image
     */
    public static OverlayStore open(Path image, StoreOptions imageOptions, OverlayOptions options)
            throws StoreException {
        if (imageOptions.sizeBytes() > 0) {
            throw new StoreException(image + ": an overlay's base is never created or extended (no --size)");
        }
        FileBlockStore base = FileBlockStore.open(image, new StoreOptions(true, imageOptions.offsetSectors(),
                imageOptions.lengthSectors(), 0, false, imageOptions.direct()).withoutLock());   // locked below
        FileChannel lock = null;
        try {
            lock = lockShared(image);
            OverlayDirectory directory = switch (options.mode()) {
                case PERSISTENT -> OverlayDirectory.serve(options.directory(), BaseImage.of(image), false);
                case EPHEMERAL -> OverlayDirectory.serve(options.directory(), BaseImage.of(image), true);
                case MEMORY -> null;
            };
            return new OverlayStore(base, lock, options, directory);
        } catch (IOException | StoreException | RuntimeException e) {
            closeQuietly(base);
            closeQuietly(lock);
            throw e instanceof StoreException s ? s : new StoreException(image + ": " + e.getMessage());
        }
    }

    /**
     * A shared lock on the image, held while it is a base: a process that wants to write it (and asks
     * for an exclusive lock first) is refused. Null when this process already locks it, as the base of
     * another export: Java refuses a second lock of one file within one process.
     */
    private static FileChannel lockShared(Path image) throws IOException, StoreException {
        FileChannel channel = FileChannel.open(image, StandardOpenOption.READ);
        try {
            if (channel.tryLock(0, Long.MAX_VALUE, true) == null) {
                throw new StoreException(image + " is locked for writing by another process");
            }
            return channel;
        } catch (OverlappingFileLockException e) {
            channel.close();
            return null;
        } catch (IOException | StoreException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The base: what the export is made over and what IDENTIFY describes. Read-only. */
    public BlockStore base() {
        return base;
    }

    public OverlayOptions options() {
        return options;
    }

    /** The overlay directory; null in memory mode. */
    public OverlayDirectory directory() {
        return directory;
    }

    @Override
    public BlockStore forClient(long mac) {
        OverlayClient c = table.get(mac);
        return c != null ? c : join(mac);
    }

    /** A MAC's first request: its client (its group's, or its own), which the table remembers. */
    private synchronized OverlayClient join(long mac) {
        OverlayClient c = table.get(mac);
        if (c != null) {
            return c;
        }
        ClientGroup group = groups.get(mac);
        String name = group != null ? group.name() : ClientGroup.nameOf(new MacAddress(mac));
        c = byName.get(name);
        if (c == null) {
            c = new OverlayClient(name, group != null ? group.macs() : List.of(new MacAddress(mac)), base, directory,
                    options);
            byName.put(name, c);
        }
        table.add(mac, c);
        return c;
    }

    /** Every client seen since the store opened, in order of first request. */
    public synchronized List<OverlayClient> clients() {
        return new ArrayList<>(byName.values());
    }

    /**
     * Drops the overlays that {@code aoe overlay reset --force} renamed away since the last check, then
     * deletes them; runs every {@link OverlayOptions#resetCheck()} on a thread of the store's.
     */
    public void checkResets() throws IOException {
        if (directory == null) {
            return;
        }
        boolean dropped = false;
        for (OverlayClient c : clients()) {
            dropped |= c.dropIfReset();
        }
        if (dropped) {
            directory.sweep();
        }
    }

    private void writeBackQuietly() {
        for (OverlayClient c : clients()) {
            try {
                c.writeBack();
            } catch (IOException | RuntimeException e) {
                log.warn("{}: writing back the overlay of {} failed: {}", directory, c.name(), e.getMessage());
            }
        }
    }

    private void checkResetsQuietly() {
        try {
            checkResets();
        } catch (IOException | RuntimeException e) {
            log.warn("{}: checking for reset overlays failed: {}", directory, e.getMessage());
        }
    }

    /** Flushes and closes every overlay, then the base; call once the targets serving the export have stopped. */
    @Override
    public void close() throws IOException {
        if (upkeep != null) {
            upkeep.shutdown();   // not shutdownNow: an interrupt would close a channel in the middle of a flush
            try {
                upkeep.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        IOException failure = null;
        for (OverlayClient c : clients()) {
            try {
                c.close();
            } catch (IOException e) {
                failure = failure == null ? e : failure;
                log.warn("{}: closing the overlay of {} failed: {}", directory, c.name(), e.getMessage());
            }
        }
        base.close();
        closeQuietly(baseLock);
        if (directory != null) {
            directory.close();
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static void closeQuietly(Closeable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (IOException ignored) {
            // closing after a failure that is being reported
        }
    }

    @Override
    public String toString() {
        return base + " with " + (directory == null ? "in-memory overlays" : "overlays in " + directory);
    }
}
