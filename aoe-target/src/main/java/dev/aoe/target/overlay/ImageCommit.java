package dev.aoe.target.overlay;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a new base image: the old base with one client's overlay laid over it, the device as that
 * client reads it. Nothing is written in place and no file is replaced: the new image is written
 * beside its name, synced, then renamed to it. Runs of zeros in the base stay holes.
 */
public final class ImageCommit {

    private static final int CHUNK = 1 << 20;

    /** What was written: the new image, its size, and how many of the client's blocks it took. */
    public record Result(Path image, long bytes, long blocks) {
    }

    private ImageCommit() {
    }

    /**
     * Writes {@code output} = {@code image} + {@code client}'s overlay.
     *
     * @param force take the overlay even while a target serves the client: as of its last FLUSH
     * @throws IOException with a one-line reason: {@code image} is not the directory's base, {@code output}
     *                     exists, the client is being served (without {@code force}), I/O errors
     */
    public static Result write(OverlayDirectory directory, ClientDir client, Path image, Path output, boolean force)
            throws IOException {
        BaseImage recorded = directory.base();
        if (!recorded.sameAs(BaseImage.of(image))) {
            throw new IOException(image + " is not the image the overlays in " + directory + " were made over, "
                    + recorded);
        }
        if (Files.exists(output)) {
            throw new IOException(output + " exists: commit writes a new image and never replaces one");
        }
        try (FileChannel lock = FileChannel.open(client.path().resolve(OverlayDirectory.LOCK), StandardOpenOption.WRITE)) {
            if (OverlayDirectory.tryLock(lock) == null && !force) {
                throw new IOException(client.name() + " is being served by a running target: shut the client down and"
                        + " stop the target, or use --force to take its overlay as of its last flush");
            }
            return copy(client, image, output);
        }
    }

    private static Result copy(ClientDir client, Path image, Path output) throws IOException {
        OverlayMap map = client.readMap();
        long size = map.deviceBytes();
        Path partial = output.resolveSibling("." + output.getFileName() + ".partial");
        Files.deleteIfExists(partial);
        try (RandomAccessFile sized = new RandomAccessFile(partial.toFile(), "rw")) {
            sized.setLength(size);
        }
        boolean done = false;
        try (FileChannel base = FileChannel.open(image, StandardOpenOption.READ);
             FileChannel data = FileChannel.open(client.data(), StandardOpenOption.READ);
             FileChannel out = FileChannel.open(partial, StandardOpenOption.WRITE)) {
            if (base.size() != size) {
                throw new IOException(image + " is " + base.size() + " bytes, " + client.name()
                        + "'s overlay is for a device of " + size);
            }
            ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
            for (long at = 0; at < size; at += CHUNK) {
                chunk.clear().limit((int) Math.min(CHUNK, size - at));
                readFully(base, chunk, at);
                if (!zeros(chunk.flip())) {
                    writeFully(out, chunk, at);
                }
            }
            ByteBuffer block = ByteBuffer.allocate(OverlayMap.BLOCK_SIZE);
            for (long b = map.nextHeld(0); b >= 0; b = map.nextHeld(b + 1)) {
                long at = b * OverlayMap.BLOCK_SIZE;
                block.clear().limit((int) Math.min(OverlayMap.BLOCK_SIZE, size - at));
                readFully(data, block, at);
                writeFully(out, block.flip(), at);
            }
            out.force(true);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(partial);
            }
        }
        Files.move(partial, output, StandardCopyOption.ATOMIC_MOVE);
        OverlayDirectory.syncDirectory(output.toAbsolutePath().getParent());
        return new Result(output, size, map.heldBlocks());
    }

    private static boolean zeros(ByteBuffer buf) {
        for (int i = buf.position(); i + Long.BYTES <= buf.limit(); i += Long.BYTES) {
            if (buf.getLong(i) != 0) {
                return false;
            }
        }
        for (int i = buf.limit() & ~(Long.BYTES - 1); i < buf.limit(); i++) {
            if (buf.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    private static void readFully(FileChannel channel, ByteBuffer dst, long position) throws IOException {
        long start = position - dst.position();
        while (dst.hasRemaining()) {
            if (channel.read(dst, start + dst.position()) < 0) {
                throw new IOException("unexpected end of file at byte " + (start + dst.position()));
            }
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer src, long position) throws IOException {
        long start = position - src.position();
        while (src.hasRemaining()) {
            channel.write(src, start + src.position());
        }
    }
}
