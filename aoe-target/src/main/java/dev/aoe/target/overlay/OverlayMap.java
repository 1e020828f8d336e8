package dev.aoe.target.overlay;

import dev.aoe.target.store.BlockStore;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.CRC32C;

/**
 * Which 4 KiB blocks of the device a client's overlay holds: one bit per block in memory (32 KiB per
 * GiB of device), persisted in a map file. Integers are big-endian.
 *
 * <pre>
 * header, file bytes 0-4095, written once when the overlay is created
 *    0     8  magic "AOEOVMAP"
 *    8     4  format version, 1
 *   12     4  block size in bytes, 4096
 *   16     8  device size in bytes
 *   24     4  map pages P = ceil(blocks / 32640)
 *   28     4  CRC32C of bytes 0-27
 *   32  4064  zero
 *
 * slot S (0 or 1) of map page p (0 .. P-1), file bytes 4096 × (1 + 2p + S) onwards, 4096 long
 *    0     8  version of the page, 1, 2, 3...: version v is written to slot v mod 2
 *    8     4  p
 *   12     4  CRC32C of bytes 0-11 and 16-4095
 *   16  4080  510 words of 64 bits: bit b (value 1 &lt;&lt; b) of word w set = the overlay holds
 *             block 32640p + 64w + b
 * </pre>
 *
 * A slot of zeros is version 0, the empty page: a new map file is sparse, all holes after the header.
 *
 * <p>Why a crash at any point leaves a map that claims only blocks whose data is on disk: while an
 * overlay lives its bits only go from 0 to 1 (a reset deletes the whole overlay), so a page's newer
 * version holds every block of an older one. A flush {@linkplain #stage() copies} the pages changed
 * since the last flush, the caller makes the overlay's data durable, and only then are the copies
 * {@linkplain #write written}, each into the slot that does not hold the page's newest version, and
 * the map file synced. A crash during that write leaves a slot torn (its CRC fails) or whole; either
 * way the other slot still holds the previous version, and {@link #load} takes each page's newest slot
 * whose CRC holds. Updating a page in place would need no second slot, but a torn page would then lose
 * blocks that earlier flushes had made durable; rewriting the whole map per flush would cost
 * 32 KiB per GiB of device on every flush, and on every new block with {@code --sync}.
 */
public final class OverlayMap {

    /** 4 KiB: the page size (the unit the base's mapping and the page cache work in) and ext4's block size. */
    public static final int BLOCK_SIZE = 4096;
    public static final int SECTORS_PER_BLOCK = BLOCK_SIZE / BlockStore.SECTOR_SIZE;
    static final int PAGE_BYTES = 4096;
    private static final int PAGE_SECTORS = PAGE_BYTES / BlockStore.SECTOR_SIZE;
    private static final int SLOT_HEADER = 16;
    static final int WORDS_PER_PAGE = (PAGE_BYTES - SLOT_HEADER) / Long.BYTES;
    /** 32,640 blocks (127.5 MiB of device) per map page: a multiple of 64, so block b is always bit b of the words. */
    static final int BLOCKS_PER_PAGE = WORDS_PER_PAGE * Long.SIZE;
    private static final long MAGIC = 0x414F_454F_564D_4150L;   // "AOEOVMAP"
    private static final int VERSION = 1;
    private static final VarHandle WORD = MethodHandles.arrayElementVarHandle(long[].class);

    private final BlockStore file;
    private final long deviceBytes;
    private final long blocks;
    private final long[] words;
    private final AtomicIntegerArray dirty;
    private final long[] versions;
    private final LongAdder held = new LongAdder();

    private OverlayMap(BlockStore file, long deviceBytes) {
        this.file = file;
        this.deviceBytes = deviceBytes;
        this.blocks = blocksOf(deviceBytes);
        int pages = pagesOf(blocks);
        this.words = new long[pages * WORDS_PER_PAGE];
        this.dirty = new AtomicIntegerArray(pages);
        this.versions = new long[pages];
    }

    /** A map kept in memory only (ephemeral overlays in memory): {@link #stage()} finds nothing to write. */
    static OverlayMap inMemory(long deviceBytes) {
        return new OverlayMap(null, deviceBytes);
    }

    public static long blocksOf(long deviceBytes) {
        return (deviceBytes + BLOCK_SIZE - 1) / BLOCK_SIZE;
    }

    private static int pagesOf(long blocks) {
        long pages = (blocks + BLOCKS_PER_PAGE - 1) / BLOCKS_PER_PAGE;
        if (pages > Integer.MAX_VALUE / WORDS_PER_PAGE) {
            throw new IllegalArgumentException("a device of " + blocks + " blocks is too large for an overlay");
        }
        return (int) pages;
    }

    /** How long the map file of a device of {@code deviceBytes} is. */
    public static long fileBytes(long deviceBytes) {
        return PAGE_BYTES * (1 + 2L * pagesOf(blocksOf(deviceBytes)));
    }

    /** Writes the header of a new, empty map into {@code file} (sparse, {@link #fileBytes} long) and syncs it. */
    static void format(BlockStore file, long deviceBytes) throws IOException {
        ByteBuf header = Unpooled.buffer(PAGE_BYTES);
        try {
            header.writeLong(MAGIC).writeInt(VERSION).writeInt(BLOCK_SIZE).writeLong(deviceBytes)
                    .writeInt(pagesOf(blocksOf(deviceBytes)));
            header.writeInt(crc(header, 0, header.writerIndex()));
            header.writeZero(PAGE_BYTES - header.writerIndex());
            file.write(0, PAGE_SECTORS, header, 0);
            file.flush();
        } finally {
            header.release();
        }
    }

    /**
     * Reads a map file: each page from its newest slot whose checksum holds.
     *
     * @throws IOException with a one-line reason when the file is not a map this build reads, or a page
     *                     has no intact slot (damage a crash cannot cause)
     */
    static OverlayMap load(BlockStore file) throws IOException {
        ByteBuf buf = Unpooled.buffer(2 * PAGE_BYTES);
        try {
            file.read(0, PAGE_SECTORS, buf);
            if (buf.getLong(0) != MAGIC) {
                throw new IOException("not an overlay map (no AOEOVMAP magic)");
            }
            if (buf.getInt(8) != VERSION) {
                throw new IOException("overlay map format " + buf.getInt(8) + ", this build reads " + VERSION);
            }
            if (buf.getInt(28) != crc(buf, 0, 28)) {
                throw new IOException("overlay map header damaged (checksum)");
            }
            if (buf.getInt(12) != BLOCK_SIZE) {
                throw new IOException("overlay map of " + buf.getInt(12) + "-byte blocks, this build uses " + BLOCK_SIZE);
            }
            OverlayMap map = new OverlayMap(file, buf.getLong(16));
            if (buf.getInt(24) != map.versions.length) {
                throw new IOException("overlay map header names " + buf.getInt(24) + " pages, a device of "
                        + map.deviceBytes + " bytes has " + map.versions.length);
            }
            if (file.sectors() * BlockStore.SECTOR_SIZE < fileBytes(map.deviceBytes)) {
                throw new IOException("overlay map file is shorter than its header says");
            }
            for (int p = 0; p < map.versions.length; p++) {
                buf.clear();
                file.read(slotLba(p, 0), 2 * PAGE_SECTORS, buf);
                map.loadPage(p, buf);
            }
            return map;
        } finally {
            buf.release();
        }
    }

    private void loadPage(int p, ByteBuf slots) throws IOException {
        long a = slotVersion(p, slots, 0);
        long b = slotVersion(p, slots, PAGE_BYTES);
        if (a < 0 && b < 0) {
            throw new IOException("overlay map page " + p + " damaged: both copies fail their checksum");
        }
        int from = (a >= b ? 0 : PAGE_BYTES) + SLOT_HEADER;
        versions[p] = Math.max(a, b);
        for (int w = 0; w < WORDS_PER_PAGE; w++) {
            long bits = slots.getLong(from + w * Long.BYTES);
            int i = p * WORDS_PER_PAGE + w;
            if ((long) i << 6 >= blocks) {
                break;
            }
            words[i] = bits;
            held.add(Long.bitCount(bits));
        }
    }

    /** The slot's version, 0 for a slot of zeros, -1 when it is torn or not this page's. */
    private static long slotVersion(int p, ByteBuf slots, int at) {
        if (zeros(slots, at, PAGE_BYTES)) {
            return 0;
        }
        long version = slots.getLong(at);
        boolean intact = slots.getInt(at + 8) == p && version > 0
                && slots.getInt(at + 12) == slotCrc(slots, at);
        return intact ? version : -1;
    }

    private static boolean zeros(ByteBuf buf, int at, int length) {
        for (int i = 0; i < length; i += Long.BYTES) {
            if (buf.getLong(at + i) != 0) {
                return false;
            }
        }
        return true;
    }

    private static long slotLba(int page, long version) {
        return (long) (1 + 2 * page + (int) (version & 1)) * PAGE_SECTORS;
    }

    private static int slotCrc(ByteBuf buf, int at) {
        CRC32C crc = new CRC32C();
        crc.update(buf.nioBuffer(at, 12));
        crc.update(buf.nioBuffer(at + SLOT_HEADER, PAGE_BYTES - SLOT_HEADER));
        return (int) crc.getValue();
    }

    private static int crc(ByteBuf buf, int at, int length) {
        CRC32C crc = new CRC32C();
        crc.update(buf.nioBuffer(at, length));
        return (int) crc.getValue();
    }

    public long deviceBytes() {
        return deviceBytes;
    }

    /** Blocks of the device; the last one is short when the device is not a whole number of blocks. */
    public long blocks() {
        return blocks;
    }

    /** How many blocks the overlay holds. */
    public long heldBlocks() {
        return held.sum();
    }

    public boolean holds(long block) {
        return (words[(int) (block >>> 6)] & (1L << block)) != 0;
    }

    /** The first held block at or after {@code from}, or -1. */
    public long nextHeld(long from) {
        return next(from, false);
    }

    /** The first block at or after {@code from} that the overlay does not hold, or {@link #blocks()}. */
    public long nextFree(long from) {
        long b = next(from, true);
        return b < 0 ? blocks : b;
    }

    private long next(long from, boolean free) {
        if (from >= blocks) {
            return -1;
        }
        int w = (int) (from >>> 6);
        long bits = (free ? ~words[w] : words[w]) & (-1L << from);
        while (bits == 0) {
            if (++w == words.length) {
                return -1;
            }
            bits = free ? ~words[w] : words[w];
        }
        long block = ((long) w << 6) + Long.numberOfTrailingZeros(bits);
        return block < blocks ? block : -1;
    }

    /** The held blocks as runs, in order. */
    public List<BlockRange> ranges() {
        List<BlockRange> ranges = new ArrayList<>();
        for (long b = nextHeld(0); b >= 0; b = nextHeld(b)) {
            long end = nextFree(b);
            ranges.add(new BlockRange(b, end - b));
            b = end;
        }
        return ranges;
    }

    /**
     * Records that the overlay now holds {@code block}; the caller has written its data. True when the
     * block is new. Safe from many threads.
     */
    boolean add(long block) {
        long bit = 1L << block;
        long before = (long) WORD.getAndBitwiseOr(words, (int) (block >>> 6), bit);
        if ((before & bit) != 0) {
            return false;
        }
        held.increment();
        dirty.set((int) ((block >>> 6) / WORDS_PER_PAGE), 1);   // after the bit: a flush that misses the bit sees the flag
        return true;
    }

    /** The map pages to write at the next flush, as they are now. */
    record Staged(int[] pages, long[] versions, byte[][] slots) {

        static final Staged NONE = new Staged(new int[0], new long[0], new byte[0][]);
    }

    /**
     * Copies every page changed since the last call, with its next version, ready to {@link #write}. Call
     * under the overlay's flush lock, before making the data durable: a bit is set only once its block's
     * data is written, so every block a copy names is made durable by the data flush that follows.
     */
    Staged stage() {
        if (file == null) {
            return Staged.NONE;
        }
        List<Integer> changed = new ArrayList<>();
        for (int p = 0; p < versions.length; p++) {
            if (dirty.getAndSet(p, 0) == 1) {   // before the copy: a bit set after it leaves the page dirty again
                changed.add(p);
            }
        }
        int[] pages = new int[changed.size()];
        long[] next = new long[pages.length];
        byte[][] slots = new byte[pages.length][];
        for (int i = 0; i < pages.length; i++) {
            int p = changed.get(i);
            pages[i] = p;
            next[i] = versions[p] + 1;
            slots[i] = new byte[PAGE_BYTES];
            ByteBuf slot = Unpooled.wrappedBuffer(slots[i]).writerIndex(0);
            slot.writeLong(next[i]).writeInt(p).writeInt(0);
            for (int w = 0; w < WORDS_PER_PAGE; w++) {
                slot.writeLong((long) WORD.getVolatile(words, p * WORDS_PER_PAGE + w));
            }
            slot.setInt(12, slotCrc(slot, 0));
        }
        return new Staged(pages, next, slots);
    }

    /** Writes staged pages into their slots and syncs the map file; on failure, {@link #unstage} them. */
    void write(Staged staged) throws IOException {
        if (staged.pages().length == 0) {
            return;
        }
        for (int i = 0; i < staged.pages().length; i++) {
            file.write(slotLba(staged.pages()[i], staged.versions()[i]), PAGE_SECTORS,
                    Unpooled.wrappedBuffer(staged.slots()[i]), 0);
        }
        file.flush();
        for (int i = 0; i < staged.pages().length; i++) {
            versions[staged.pages()[i]] = staged.versions()[i];
        }
    }

    /** Marks staged pages changed again, for the next flush, when the flush they were staged for failed. */
    void unstage(Staged staged) {
        for (int p : staged.pages()) {
            dirty.set(p, 1);
        }
    }
}
