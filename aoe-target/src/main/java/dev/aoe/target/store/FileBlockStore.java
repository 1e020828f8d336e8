package dev.aoe.target.store;

import com.sun.nio.file.ExtendedOpenOption;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A {@link BlockStore} over a file or block device, safe for concurrent use. A regular file is mapped
 * into memory ({@link MappedRegion}), so reads and writes are copies to and from the page cache and
 * FLUSH is msync plus fsync; with {@code --sync} (O_DSYNC) or {@code --direct} (O_DIRECT), and for
 * block devices, I/O goes through positional {@link FileChannel} calls. Ranges are locked in 64 KiB
 * chunks (read locks for reads, write locks for writes, taken in a fixed order), so overlapping
 * requests never interleave.
 * <p>
 * The exported window of the file is locked against other processes (shared when read-only,
 * exclusive otherwise), so two targets never serve one image read-write. When the file changes size
 * underneath ({@link #checkSize}, which the caller runs periodically and which runs by itself after a
 * failed access), an export without a fixed length follows it: the capacity changes, requests past
 * the new end fail as out of range, and the mapping is made anew.
 */
public final class FileBlockStore implements BlockStore {

    private static final int DIRECT_ALIGNMENT = 4096;

    private final Path file;
    private final FileChannel channel;
    private final FileChannel directChannel;
    private final long offsetBytes;
    /** The fixed length asked for (vblade -l), or 0 to follow the file's size. */
    private final long fixedSectors;
    private final boolean mappable;
    private final FileLock lock;
    private volatile long sectors;
    private volatile long fileBytes;
    private final boolean readOnly;
    private final List<String> warnings;
    private final RangeLocks locks = new RangeLocks();
    private volatile MappedRegion mapped;
    /** A size change a failed access found, not yet returned by {@link #checkSize}. */
    private String unreported;
    private final ThreadLocal<ByteBuffer> directBuffer = ThreadLocal.withInitial(
            () -> ByteBuffer.allocateDirect(256 * SECTOR_SIZE + DIRECT_ALIGNMENT).alignedSlice(DIRECT_ALIGNMENT));

    private FileBlockStore(Path file, FileChannel channel, FileChannel directChannel, FileLock lock, boolean mappable,
                           long offsetBytes, long fixedSectors, long sectors, long fileBytes, boolean readOnly,
                           List<String> warnings) throws IOException {
        this.file = file;
        this.channel = channel;
        this.directChannel = directChannel;
        this.lock = lock;
        this.mappable = mappable;
        this.offsetBytes = offsetBytes;
        this.fixedSectors = fixedSectors;
        this.sectors = sectors;
        this.fileBytes = fileBytes;
        this.readOnly = readOnly;
        this.warnings = List.copyOf(warnings);
        this.mapped = mappable ? map() : null;
    }

    /** A mapping of the exported window, or null where there is nothing to map or it cannot be mapped. */
    private MappedRegion map() {
        if (sectors == 0) {
            return null;
        }
        try {
            MappedRegion region = MappedRegion.map(channel, offsetBytes, sectors * SECTOR_SIZE, !readOnly);
            return region.usable() ? region : null;
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /**
     * Opens {@code file} for export.
     *
     * @throws StoreException with a one-line reason: missing or unreadable file, bad window, a file
     *                        that --size would shrink
     */
    public static FileBlockStore open(Path file, StoreOptions options) throws StoreException {
        List<String> warnings = new ArrayList<>();
        Set<OpenOption> modes = new HashSet<>(List.of(StandardOpenOption.READ));
        if (!options.readOnly()) {
            modes.add(StandardOpenOption.WRITE);
        }
        if (options.sync()) {
            modes.add(StandardOpenOption.DSYNC);
        }
        try {
            if (options.sizeBytes() > 0) {
                sizeFile(file, options.sizeBytes(), options.readOnly());
            } else if (!Files.exists(file)) {
                throw new StoreException(file + ": no such file (give --size to create it)");
            }
            if (Files.isDirectory(file)) {
                throw new StoreException(file + ": is a directory");
            }
            FileChannel channel = FileChannel.open(file, modes);
            long bytes = sizeOf(file, channel);
            long fileSectors = bytes / SECTOR_SIZE;
            if (bytes % SECTOR_SIZE != 0) {
                warnings.add(file + " is " + bytes + " bytes, not a whole number of 512-byte sectors: the last "
                        + bytes % SECTOR_SIZE + " bytes are not exported");
            }
            long exported = window(file, fileSectors, options, channel);
            long offsetBytes = options.offsetSectors() * SECTOR_SIZE;
            FileLock lock = options.lock() ? lock(file, channel, offsetBytes, options) : null;
            FileChannel direct = options.direct() ? openDirect(file, modes, warnings) : null;
            // --sync and --direct write through the channel (O_DSYNC, O_DIRECT); everything else through a mapping
            boolean mappable = direct == null && !options.sync() && Files.isRegularFile(file);
            return new FileBlockStore(file, channel, direct, lock, mappable, offsetBytes, options.lengthSectors(),
                    exported, bytes, options.readOnly(), warnings);
        } catch (NoSuchFileException e) {
            throw new StoreException(file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new StoreException(file + ": permission denied" + (options.readOnly() ? "" : " (try --read-only)"));
        } catch (IOException e) {
            throw new StoreException(file + ": " + e.getMessage());
        }
    }

    /**
     * Locks the exported window of the file (to its end when it follows the file's size): shared when
     * read-only, exclusive otherwise, so that no other process serves it read-write meanwhile.
     */
    private static FileLock lock(Path file, FileChannel channel, long offsetBytes, StoreOptions options)
            throws IOException, StoreException {
        long length = options.lengthSectors() > 0 ? options.lengthSectors() * SECTOR_SIZE : Long.MAX_VALUE - offsetBytes;
        FileLock lock;
        try {
            lock = channel.tryLock(offsetBytes, length, options.readOnly());
        } catch (OverlappingFileLockException e) {
            channel.close();
            throw new StoreException(file + " is already exported by this process" + (options.readOnly() ? ""
                    : " (an image is served read-write once, or read-only several times)"));
        }
        if (lock == null) {
            channel.close();
            throw new StoreException(file + " is in use by another process (it holds a lock on it: another target?)"
                    + "; refusing to serve it " + (options.readOnly() ? "while it is written" : "read-write too"));
        }
        return lock;
    }

    private static void sizeFile(Path file, long size, boolean readOnly) throws IOException, StoreException {
        if (size % SECTOR_SIZE != 0) {
            throw new StoreException("--size " + size + " is not a whole number of 512-byte sectors");
        }
        long current = Files.exists(file) ? Files.size(file) : -1;
        if (current > size) {
            throw new StoreException(file + " is " + current + " bytes, larger than --size " + size
                    + ": refusing to shrink it");
        }
        if (current < size) {
            if (readOnly) {
                throw new StoreException(file + ": --size would have to extend a file opened --read-only");
            }
            try (FileChannel c = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                c.write(ByteBuffer.allocate(1), size - 1);   // sparse: only the last byte is written
            }
        }
    }

    /** Block devices report size 0 through stat; their channel knows the real size. */
    private static long sizeOf(Path file, FileChannel channel) throws IOException {
        long size = channel.size();
        return size > 0 ? size : Files.size(file);
    }

    private static long window(Path file, long fileSectors, StoreOptions options, FileChannel channel)
            throws StoreException, IOException {
        long offset = options.offsetSectors();
        if (offset >= fileSectors && !(offset == 0 && fileSectors == 0)) {
            channel.close();
            throw new StoreException("--offset " + offset + " is past the end of " + file + " (" + fileSectors
                    + " sectors)");
        }
        long available = fileSectors - offset;
        long length = options.lengthSectors() == 0 ? available : options.lengthSectors();
        if (length > available) {
            channel.close();
            throw new StoreException("--length " + length + " exceeds the " + available + " sectors of " + file
                    + " after --offset " + offset);
        }
        if (length == 0) {
            channel.close();
            throw new StoreException(file + " is empty: nothing to export (give --size to extend it)");
        }
        return length;
    }

    private static FileChannel openDirect(Path file, Set<OpenOption> modes, List<String> warnings) {
        Set<OpenOption> directModes = new HashSet<>(modes);
        directModes.add(ExtendedOpenOption.DIRECT);
        try {
            return FileChannel.open(file, directModes);
        } catch (IOException | UnsupportedOperationException e) {
            warnings.add("O_DIRECT is not supported for " + file + " (" + e.getMessage()
                    + "); using the page cache");
            return null;
        }
    }

    public Path file() {
        return file;
    }

    /** What the caller should tell the user: ignored file tail, O_DIRECT not available. */
    public List<String> warnings() {
        return warnings;
    }

    public boolean direct() {
        return directChannel != null;
    }

    @Override
    public long sectors() {
        return sectors;
    }


    @Override
    public boolean readOnly() {
        return readOnly;
    }

    @Override
    public void read(long lba, int count, ByteBuf dst) throws IOException {
        checkRange(lba, count);
        long position = offsetBytes + lba * SECTOR_SIZE;
        int length = count * SECTOR_SIZE;
        locks.lock(position, length, false);
        try {
            MappedRegion region = mapped;
            if (region != null) {
                try {
                    region.read(position, length, dst, channel);
                } catch (InternalError e) {   // SIGBUS, when reported at the copy (compiled code reports it later)
                    recheck();
                    throw new IOException(file + ": cannot read the mapped file (truncated?)", e);
                } catch (IOException e) {
                    recheck();
                    throw e;
                }
                return;
            }
            if (aligned(position, length)) {
                ByteBuffer bounce = directBuffer.get().clear().limit(length);
                readFully(directChannel, bounce, position);
                dst.writeBytes(bounce.flip());
                return;
            }
            int start = dst.writerIndex();
            dst.ensureWritable(length);
            while (dst.writerIndex() - start < length) {
                int done = dst.writerIndex() - start;
                if (dst.writeBytes(channel, position + done, length - done) < 0) {
                    throw new IOException("unexpected end of " + file + " at byte " + (position + done));
                }
            }
        } finally {
            locks.unlock(position, length, false);
        }
    }

    @Override
    public void write(long lba, int count, ByteBuf src, int srcIndex) throws IOException {
        if (readOnly) {
            throw new IOException(file + " is exported read-only");
        }
        checkRange(lba, count);
        long position = offsetBytes + lba * SECTOR_SIZE;
        int length = count * SECTOR_SIZE;
        locks.lock(position, length, true);
        try {
            MappedRegion region = mapped;
            if (region != null && region.writable()) {
                try {
                    region.write(position, length, src, srcIndex, channel);
                } catch (InternalError e) {
                    recheck();
                    throw new IOException(file + ": cannot write the mapped file (truncated?)", e);
                }
                return;
            }
            if (aligned(position, length)) {
                ByteBuffer data = directBuffer.get().clear().limit(length);
                src.getBytes(srcIndex, data);
                data.flip();
                while (data.hasRemaining()) {
                    directChannel.write(data, position + (length - data.remaining()));
                }
                return;
            }
            for (int done = 0; done < length; ) {
                done += src.getBytes(srcIndex + done, channel, position + done, length - done);
            }
        } finally {
            locks.unlock(position, length, true);
        }
    }

    @Override
    public void flush() throws IOException {
        MappedRegion region = mapped;
        if (region != null) {
            region.force();
        }
        channel.force(false);
    }

    /**
     * Re-reads the file's size. When it changed and the export follows it (no fixed length), the
     * capacity changes: requests past the new end then fail as out of range, and the mapping is made
     * anew. Returns a line saying what changed, or null when nothing did.
     */
    public synchronized String checkSize() {
        String change = detectChange();
        if (change == null && unreported != null) {
            change = unreported;
        }
        unreported = null;
        return change;
    }

    /** After a failed access: the size is checked now, and a change is told at the next {@link #checkSize}. */
    private synchronized void recheck() {
        String change = detectChange();
        if (change != null) {
            unreported = change;
        }
    }

    private String detectChange() {
        long bytes;
        try {
            bytes = sizeOf(file, channel);
        } catch (IOException e) {
            return null;
        }
        if (bytes == fileBytes) {
            return null;
        }
        long before = sectors;
        long available = Math.max(0, bytes / SECTOR_SIZE - offsetBytes / SECTOR_SIZE);
        long now = fixedSectors > 0 ? Math.min(fixedSectors, available) : available;
        fileBytes = bytes;
        sectors = now;
        if (mappable) {
            mapped = map();
        }
        if (now == before) {
            return null;
        }
        return file + " changed size under the export: " + before + " sectors before, " + now + " now"
                + (now < before ? "; requests past the new end fail as out of range" : "");
    }

    @Override
    public void close() throws IOException {
        try {
            if (!readOnly) {
                flush();
            }
        } finally {
            if (lock != null && lock.isValid()) {
                lock.release();
            }
            channel.close();
            if (directChannel != null) {
                directChannel.close();
            }
        }
    }

    private boolean aligned(long position, int length) {
        return directChannel != null && position % DIRECT_ALIGNMENT == 0 && length % DIRECT_ALIGNMENT == 0;
    }

    private void checkRange(long lba, int count) throws IOException {
        if (lba < 0 || count < 0 || count > 256 || lba + count > sectors) {
            throw new IOException("sectors " + lba + "+" + count + " outside 0.." + sectors);
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer dst, long position) throws IOException {
        while (dst.hasRemaining()) {
            if (channel.read(dst, position + dst.position()) < 0) {
                throw new IOException("unexpected end of file at byte " + (position + dst.position()));
            }
        }
    }

    @Override
    public String toString() {
        return file + " (" + sectors + " sectors" + (readOnly ? ", read-only" : "") + ")";
    }
}
