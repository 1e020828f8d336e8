package dev.aoe.target.overlay;

import dev.aoe.ethernet.MacAddress;
import dev.aoe.target.store.FileBlockStore;
import dev.aoe.target.store.StoreException;
import dev.aoe.target.store.StoreOptions;
import java.io.Closeable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The overlays of one export on disk, one subdirectory per client:
 *
 * <pre>
 * DIR/
 *   base.info           the image the overlays were made over ({@link BaseImage})
 *   .lock               locked exclusively by the target serving DIR: one export per directory
 *   NAME/               a client: its group's name, or its MAC as 52-54-00-12-34-56
 *     lock              locked exclusively while a target serves the client
 *     macs              the client's MACs, one aa:bb:cc:dd:ee:ff per line
 *     data              sparse, the device's size; meaningful only where the map says
 *     map               which blocks data holds ({@link OverlayMap})
 *   .new-NAME/          a client being created: renamed to NAME once complete, removed at start
 *   .reset-NAME-N/      a client reset away: deleted as soon as no target holds its lock
 * </pre>
 *
 * A client's directory appears whole (created aside, synced, then renamed) and disappears whole
 * (renamed aside, then deleted), so a crash never leaves half a client under its name.
 *
 * <p>A forced reset of a client a target serves renames the directory aside and leaves everything in
 * it alone: the target keeps writing into files nobody will read, never into a client's live overlay.
 * The target notices the rename at its next {@linkplain OverlayStore#checkResets() reset check}, closes
 * the files (releasing the lock) and serves the client the base from then on; the renamed directory is
 * deleted by whichever comes first, the waiting reset or the target.
 */
public final class OverlayDirectory implements Closeable {

    static final String BASE_INFO = "base.info";
    static final String LOCK = "lock";
    static final String DATA = "data";
    static final String MAP = "map";
    private static final String DIRECTORY_LOCK = ".lock";
    private static final String MACS = "macs";
    private static final String NEW = ".new-";
    private static final String RESET = ".reset-";

    private final Path dir;
    private final FileChannel lockChannel;   // holds DIR/.lock while a target serves the directory

    private OverlayDirectory(Path dir, FileChannel lockChannel) {
        this.dir = dir;
        this.lockChannel = lockChannel;
    }

    /** Opens {@code dir} to look at and reset clients, as the {@code aoe overlay} verbs do; takes no lock. */
    public static OverlayDirectory inspect(Path dir) throws StoreException {
        if (!Files.isDirectory(dir)) {
            throw new StoreException(dir + ": no such directory");
        }
        if (!Files.exists(dir.resolve(BASE_INFO))) {
            throw new StoreException(dir + " is not an overlay directory (it has no " + BASE_INFO + ")");
        }
        return new OverlayDirectory(dir, null);
    }

    /**
     * Opens {@code dir} for a target to serve, creating it if needed, and locks it. Removes what an
     * earlier crash left aside; with {@code empty}, every overlay too.
     *
     * @throws StoreException when another target serves the directory, or its overlays were made over
     *                        another image than {@code base}
     */
    static OverlayDirectory serve(Path dir, BaseImage base, boolean empty) throws StoreException {
        OverlayDirectory d;
        try {
            Files.createDirectories(dir);
            d = new OverlayDirectory(dir, FileChannel.open(dir.resolve(DIRECTORY_LOCK), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE));
        } catch (IOException e) {
            throw new StoreException(dir + ": " + e.getMessage());
        }
        try {
            if (tryLock(d.lockChannel) == null) {
                throw new StoreException(dir + " is in use by another target (one export per overlay directory)");
            }
            d.prepare(base, empty);
            return d;
        } catch (StoreException | RuntimeException e) {
            d.closeQuietly();
            throw e;
        } catch (IOException e) {
            d.closeQuietly();
            throw new StoreException(dir + ": " + e.getMessage());
        }
    }

    private void prepare(BaseImage base, boolean empty) throws IOException, StoreException {
        Path info = dir.resolve(BASE_INFO);
        if (empty) {
            try (Stream<Path> entries = Files.list(dir)) {
                for (Path entry : entries.toList()) {
                    if (!entry.getFileName().toString().equals(DIRECTORY_LOCK)) {
                        deleteTree(entry);
                    }
                }
            }
        } else {
            sweep();
            if (Files.exists(info)) {
                BaseImage recorded = BaseImage.read(info);
                if (!recorded.sameAs(base)) {
                    throw new StoreException(dir + " holds overlays made over " + recorded + ", not over " + base
                            + ": an overlay only makes sense over the image it was made over. Use another directory"
                            + " or reset the overlays; if it is the same image (copied, touched), delete " + info);
                }
                return;
            }
        }
        writeAtomically(info, base.text());
    }

    public Path path() {
        return dir;
    }

    /** The image the overlays were made over, as {@code base.info} records it. */
    public BaseImage base() throws IOException {
        return BaseImage.read(dir.resolve(BASE_INFO));
    }

    /** Every client that has an overlay, by name. */
    public List<ClientDir> clients() throws IOException {
        List<ClientDir> clients = new ArrayList<>();
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path entry : entries.sorted().toList()) {
                String name = entry.getFileName().toString();
                if (!name.startsWith(".") && Files.isDirectory(entry)) {
                    clients.add(new ClientDir(name, entry, readMacs(entry)));
                }
            }
        }
        return clients;
    }

    /** The client named {@code nameOrMac}, or the one with that MAC. */
    public Optional<ClientDir> find(String nameOrMac) throws IOException {
        List<ClientDir> clients = clients();
        for (ClientDir c : clients) {
            if (c.name().equals(nameOrMac)) {
                return Optional.of(c);
            }
        }
        MacAddress mac;
        try {
            mac = MacAddress.parse(nameOrMac);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return clients.stream().filter(c -> c.macs().contains(mac) || c.name().equals(ClientGroup.nameOf(mac)))
                .findFirst();
    }

    boolean exists(String name) {
        return Files.isDirectory(dir.resolve(name));
    }

    /** What {@link #reset} did. */
    public enum ResetOutcome {
        /** No target held the overlay: it is gone. */
        REMOVED,
        /** Forced: the target that held it noticed within the wait, let go, and it is gone. */
        RELEASED,
        /** Forced: the target that holds it has not noticed yet; it drops the overlay at its next reset check. */
        PENDING
    }

    /**
     * Drops a client's overlay: its next boot reads the base. Refused while a target holds it, unless
     * {@code force}; then waits up to {@code wait} for the target to let go.
     */
    public ResetOutcome reset(ClientDir client, boolean force, Duration wait) throws IOException {
        Path trash = dir.resolve(RESET + client.name() + "-" + System.nanoTime());
        try (FileChannel channel = FileChannel.open(client.path().resolve(LOCK), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            FileLock held = tryLock(channel);
            if (held == null && !force) {
                throw new IOException(client.name() + " is being served by a running target (its overlay is locked):"
                        + " stop the target, or use --force once the client is down");
            }
            Files.move(client.path(), trash, StandardCopyOption.ATOMIC_MOVE);
            syncDirectory(dir);
            if (held != null) {
                deleteTree(trash);
                return ResetOutcome.REMOVED;
            }
        }
        long deadline = System.nanoTime() + wait.toNanos();
        while (locked(trash.resolve(LOCK))) {
            if (System.nanoTime() - deadline >= 0) {
                return ResetOutcome.PENDING;
            }
            try {
                Thread.sleep(20);   // polling another process's lock: there is nothing to wait on
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ResetOutcome.PENDING;
            }
        }
        deleteTree(trash);
        return ResetOutcome.RELEASED;
    }

    /** Creates a client's overlay (empty map, sparse data) and holds it. */
    Held create(String name, List<MacAddress> macs, long deviceBytes, boolean sync) throws IOException {
        Path staging = dir.resolve(NEW + name);
        Path client = dir.resolve(name);
        deleteTree(staging);
        Files.createDirectory(staging);
        FileChannel channel = FileChannel.open(staging.resolve(LOCK), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
        try {
            channel.lock();
            writeSynced(staging.resolve(MACS), macsText(macs));
            sparse(staging.resolve(DATA), deviceBytes);
            sparse(staging.resolve(MAP), OverlayMap.fileBytes(deviceBytes));
            try (FileBlockStore map = openStore(staging.resolve(MAP), false)) {
                OverlayMap.format(map, deviceBytes);
            }
            syncDirectory(staging);
            Files.move(staging, client, StandardCopyOption.ATOMIC_MOVE);
            syncDirectory(dir);
            return hold(client, channel, sync);
        } catch (IOException | RuntimeException e) {
            channel.close();
            deleteTree(staging);
            throw e;
        }
    }

    /** Holds an existing client's overlay; null when there is none (reset meanwhile). */
    Held open(String name, List<MacAddress> macs, boolean sync) throws IOException {
        Path client = dir.resolve(name);
        FileChannel channel;
        try {
            channel = FileChannel.open(client.resolve(LOCK), StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            return null;
        }
        try {
            if (tryLock(channel) == null) {
                throw new IOException(name + ": overlay locked by another process (an aoe overlay command?)");
            }
            if (!Files.isDirectory(client)) {   // reset between our open and our lock
                channel.close();
                return null;
            }
            if (!macs.equals(readMacs(client))) {
                writeAtomically(client.resolve(MACS), macsText(macs));
            }
            return hold(client, channel, sync);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static Held hold(Path client, FileChannel channel, boolean sync) throws IOException {
        Object key = Files.readAttributes(client, BasicFileAttributes.class).fileKey();
        FileBlockStore data = openStore(client.resolve(DATA), sync);
        try {
            return new Held(client, key, channel, data, openStore(client.resolve(MAP), false));
        } catch (IOException | RuntimeException e) {
            data.close();
            throw e;
        }
    }

    private static FileBlockStore openStore(Path file, boolean sync) throws IOException {
        try {
            return FileBlockStore.open(file, new StoreOptions(false, 0, 0, 0, sync, false).withoutLock());
        } catch (StoreException e) {
            throw new IOException(e.getMessage());
        }
    }

    /** A client's overlay files a target has open, and the lock that says so. */
    static final class Held implements Closeable {
        final Path path;
        final FileBlockStore data;
        final FileBlockStore map;
        private final Object key;
        private final FileChannel channel;

        private Held(Path path, Object key, FileChannel channel, FileBlockStore data, FileBlockStore map) {
            this.path = path;
            this.key = key;
            this.channel = channel;
            this.data = data;
            this.map = map;
        }

        /** False once {@code aoe overlay reset --force} renamed the client's directory away. */
        boolean inPlace() {
            try {
                return Objects.equals(key, Files.readAttributes(path, BasicFileAttributes.class).fileKey());
            } catch (IOException e) {
                return false;
            }
        }

        /** Flushes and closes the files, then lets go of the lock. */
        @Override
        public void close() throws IOException {
            try {
                try {
                    data.close();
                } finally {
                    map.close();
                }
            } finally {
                channel.close();   // releases the lock
            }
        }
    }

    /** Deletes what crashes and forced resets left aside: half-made clients, and reset ones nobody holds. */
    void sweep() throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (name.startsWith(NEW) || (name.startsWith(RESET) && !locked(entry.resolve(LOCK)))) {
                    deleteTree(entry);
                }
            }
        }
    }

    /**
     * Whether someone holds {@code lockFile}'s lock: another process, or a channel of this one. Meant for
     * another process than the holder's: POSIX drops a process's lock on a file when it closes any
     * descriptor of it, so a probe from the holding process leaves only Java's record of the lock.
     */
    static boolean locked(Path lockFile) throws IOException {
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock lock = tryLock(channel);
            if (lock != null) {
                lock.release();
            }
            return lock == null;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /** An exclusive lock, or null when it is held elsewhere (Java refuses overlapping locks within one process). */
    static FileLock tryLock(FileChannel channel) throws IOException {
        try {
            return channel.tryLock();
        } catch (OverlappingFileLockException e) {
            return null;
        }
    }

    private static List<MacAddress> readMacs(Path client) throws IOException {
        List<MacAddress> macs = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(client.resolve(MACS))) {
                if (!line.isBlank()) {
                    macs.add(MacAddress.parse(line));
                }
            }
        } catch (NoSuchFileException | IllegalArgumentException e) {
            return List.of();   // shown as no MAC; the target rewrites the file when it opens the overlay
        }
        return macs;
    }

    private static String macsText(List<MacAddress> macs) {
        StringBuilder sb = new StringBuilder();
        macs.forEach(m -> sb.append(m).append('\n'));
        return sb.toString();
    }

    private static void sparse(Path file, long size) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
            f.getFD().sync();
        }
    }

    private static void writeSynced(Path file, String text) throws IOException {
        Files.writeString(file, text);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        Path temporary = file.resolveSibling("." + file.getFileName() + ".tmp");
        writeSynced(temporary, text);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(file.getParent());
    }

    static void syncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                try {
                    Files.deleteIfExists(p);
                } catch (DirectoryNotEmptyException e) {
                    throw new IOException("cannot delete " + root + ": " + p + " changed while deleting it");
                }
            }
        }
    }

    /** Lets another target serve the directory. */
    @Override
    public void close() throws IOException {
        if (lockChannel != null) {
            lockChannel.close();   // releases the lock
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException ignored) {
            // closing after the failure being reported
        }
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
