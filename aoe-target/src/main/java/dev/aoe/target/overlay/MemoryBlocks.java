package dev.aoe.target.overlay;

import static dev.aoe.target.overlay.OverlayMap.BLOCK_SIZE;
import static dev.aoe.target.overlay.OverlayMap.SECTORS_PER_BLOCK;

import dev.aoe.target.store.BlockStore;
import dev.aoe.target.store.StoreFullException;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data of an ephemeral overlay kept in memory: 4 KiB arrays allocated on first write, in a table
 * of 512-block (2 MiB) chunks, up to a cap. A write that needs a block beyond the cap fails with
 * {@link StoreFullException}, logged once. Nothing is durable; flush does nothing. The {@link Overlay}
 * above serialises access to each block, so only allocation takes a lock here.
 */
final class MemoryBlocks implements BlockStore {

    private static final Logger log = LoggerFactory.getLogger(MemoryBlocks.class);
    private static final int CHUNK_SHIFT = 9;
    private static final int CHUNK = 1 << CHUNK_SHIFT;

    private final String client;
    private final long sectors;
    private final long capBytes;
    private final byte[][][] chunks;
    private long usedBytes;
    private boolean full;

    MemoryBlocks(String client, long sectors, long capBytes) {
        this.client = client;
        this.sectors = sectors;
        this.capBytes = capBytes;
        long blocks = (sectors + SECTORS_PER_BLOCK - 1) / SECTORS_PER_BLOCK;
        this.chunks = new byte[(int) ((blocks + CHUNK - 1) >>> CHUNK_SHIFT)][][];
    }

    @Override
    public long sectors() {
        return sectors;
    }

    @Override
    public boolean readOnly() {
        return false;
    }

    synchronized long usedBytes() {
        return usedBytes;
    }

    @Override
    public void read(long lba, int count, ByteBuf dst) {
        for (long s = lba; s < lba + count; ) {
            int n = (int) (Math.min(lba + count, (s / SECTORS_PER_BLOCK + 1) * SECTORS_PER_BLOCK) - s);
            byte[] block = block(s / SECTORS_PER_BLOCK);
            int offset = (int) (s % SECTORS_PER_BLOCK) * SECTOR_SIZE;
            if (block == null) {
                dst.writeZero(n * SECTOR_SIZE);
            } else {
                dst.writeBytes(block, offset, n * SECTOR_SIZE);
            }
            s += n;
        }
    }

    @Override
    public void write(long lba, int count, ByteBuf src, int srcIndex) throws IOException {
        allocate(lba / SECTORS_PER_BLOCK, (lba + count - 1) / SECTORS_PER_BLOCK);
        int at = srcIndex;
        for (long s = lba; s < lba + count; ) {
            int n = (int) (Math.min(lba + count, (s / SECTORS_PER_BLOCK + 1) * SECTORS_PER_BLOCK) - s);
            src.getBytes(at, block(s / SECTORS_PER_BLOCK), (int) (s % SECTORS_PER_BLOCK) * SECTOR_SIZE,
                    n * SECTOR_SIZE);
            at += n * SECTOR_SIZE;
            s += n;
        }
    }

    /** Allocates blocks {@code first..last}, all or none. */
    private synchronized void allocate(long first, long last) throws StoreFullException {
        long needed = 0;
        for (long b = first; b <= last; b++) {
            needed += block(b) == null ? BLOCK_SIZE : 0;
        }
        if (usedBytes + needed > capBytes) {
            if (!full) {
                full = true;
                log.warn("{}: in-memory overlay reached its cap of {} bytes; writes to new blocks fail with an ATA"
                        + " error until the target restarts", client, capBytes);
            }
            throw new StoreFullException(client + ": in-memory overlay is full (cap " + capBytes + " bytes)");
        }
        for (long b = first; b <= last; b++) {
            byte[][] chunk = chunks[(int) (b >>> CHUNK_SHIFT)];
            if (chunk == null) {
                chunk = new byte[CHUNK][];
                chunks[(int) (b >>> CHUNK_SHIFT)] = chunk;
            }
            if (chunk[(int) (b & (CHUNK - 1))] == null) {
                chunk[(int) (b & (CHUNK - 1))] = new byte[BLOCK_SIZE];
            }
        }
        usedBytes += needed;
    }

    private byte[] block(long b) {
        byte[][] chunk = chunks[(int) (b >>> CHUNK_SHIFT)];
        return chunk == null ? null : chunk[(int) (b & (CHUNK - 1))];
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return client + " (in memory, " + sectors + " sectors)";
    }
}
