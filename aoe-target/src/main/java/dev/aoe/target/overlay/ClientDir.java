package dev.aoe.target.overlay;

import dev.aoe.ethernet.MacAddress;
import dev.aoe.target.store.BlockStore;
import dev.aoe.target.store.FileBlockStore;
import dev.aoe.target.store.StoreException;
import dev.aoe.target.store.StoreOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One client's overlay in an {@link OverlayDirectory}, as the {@code aoe overlay} verbs see it: what is
 * on disk as of the client's last FLUSH (a running target may hold newer blocks in memory).
 */
public record ClientDir(String name, Path path, List<MacAddress> macs) {

    public ClientDir {
        macs = List.copyOf(macs);
    }

    public Path data() {
        return path.resolve(OverlayDirectory.DATA);
    }

    /** Reads the map file; IOException with a one-line reason when it is missing or damaged. */
    public OverlayMap readMap() throws IOException {
        try (FileBlockStore file = FileBlockStore.open(path.resolve(OverlayDirectory.MAP),
                new StoreOptions(true, 0, 0, 0, false, false).withoutLock())) {
            return OverlayMap.load(file);
        } catch (StoreException e) {
            throw new IOException(e.getMessage());
        } catch (IOException e) {
            throw new IOException(path.resolve(OverlayDirectory.MAP) + ": " + e.getMessage(), e);
        }
    }

    /** When the data file last changed: the client's last write, give or take the page cache's writeback. */
    public Instant lastWrite() throws IOException {
        return Files.getLastModifiedTime(data()).toInstant();
    }

    /** Whether a target (or an {@code aoe overlay commit}) holds the overlay's lock now. */
    public boolean inUse() throws IOException {
        return OverlayDirectory.locked(path.resolve(OverlayDirectory.LOCK));
    }

    /**
     * The held blocks whose bytes differ from {@code image}'s, as runs: what {@link OverlayMap#ranges()}
     * says, less the blocks the client rewrote with what the base already had.
     */
    public List<BlockRange> differences(Path image) throws IOException {
        OverlayMap map = readMap();
        List<BlockRange> ranges = new ArrayList<>();
        ByteBuf ours = Unpooled.wrappedBuffer(new byte[OverlayMap.BLOCK_SIZE]);
        ByteBuf theirs = Unpooled.wrappedBuffer(new byte[OverlayMap.BLOCK_SIZE]);
        try (FileBlockStore base = open(image); FileBlockStore data = open(data())) {
            if (base.sectors() * BlockStore.SECTOR_SIZE != map.deviceBytes()) {
                throw new IOException(image + " is " + base.sectors() * BlockStore.SECTOR_SIZE + " bytes, "
                        + name + "'s overlay is for a device of " + map.deviceBytes());
            }
            long runStart = -1;
            long runEnd = -1;
            for (long b = map.nextHeld(0); b >= 0; b = map.nextHeld(b + 1)) {
                long lba = b * OverlayMap.SECTORS_PER_BLOCK;
                int sectors = (int) Math.min(OverlayMap.SECTORS_PER_BLOCK, base.sectors() - lba);
                data.read(lba, sectors, ours.clear());
                base.read(lba, sectors, theirs.clear());
                if (ours.equals(theirs)) {
                    continue;
                }
                if (b != runEnd) {
                    if (runStart >= 0) {
                        ranges.add(new BlockRange(runStart, runEnd - runStart));
                    }
                    runStart = b;
                }
                runEnd = b + 1;
            }
            if (runStart >= 0) {
                ranges.add(new BlockRange(runStart, runEnd - runStart));
            }
        }
        return ranges;
    }

    static FileBlockStore open(Path file) throws IOException {
        try {
            return FileBlockStore.open(file, new StoreOptions(true, 0, 0, 0, false, false).withoutLock());
        } catch (StoreException e) {
            throw new IOException(e.getMessage());
        }
    }
}
