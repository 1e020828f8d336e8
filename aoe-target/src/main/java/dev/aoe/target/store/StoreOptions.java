package dev.aoe.target.store;

/**
 * How an export opens its file.
 *
 * @param readOnly       open read-only; writes are refused
 * @param offsetSectors  first exported sector of the file (vblade -o)
 * @param lengthSectors  exported sectors, 0 for the rest of the file (vblade -l)
 * @param sizeBytes      create the file, or extend it sparsely, to this size; 0 leaves it as it is
 * @param sync           acknowledge a write only once it is on stable storage (O_DSYNC)
 * @param direct         bypass the page cache (O_DIRECT) where the file system allows it
 * @param lock           lock the exported window against other servers (off for files whose user locks them itself)
 */
public record StoreOptions(boolean readOnly, long offsetSectors, long lengthSectors, long sizeBytes,
                           boolean sync, boolean direct, boolean lock) {

    public static final StoreOptions DEFAULT = new StoreOptions(false, 0, 0, 0, false, false);

    public StoreOptions {
        if (offsetSectors < 0 || lengthSectors < 0 || sizeBytes < 0) {
            throw new IllegalArgumentException("offset, length and size must not be negative");
        }
    }

    /** Options that lock the exported window, as an export's file is. */
    public StoreOptions(boolean readOnly, long offsetSectors, long lengthSectors, long sizeBytes, boolean sync,
                        boolean direct) {
        this(readOnly, offsetSectors, lengthSectors, sizeBytes, sync, direct, true);
    }

    /** The same without the lock: for files whose user holds locks of its own (an overlay's files). */
    public StoreOptions withoutLock() {
        return new StoreOptions(readOnly, offsetSectors, lengthSectors, sizeBytes, sync, direct, false);
    }
}
