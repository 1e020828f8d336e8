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
 */
public record StoreOptions(boolean readOnly, long offsetSectors, long lengthSectors, long sizeBytes,
                           boolean sync, boolean direct) {

    public static final StoreOptions DEFAULT = new StoreOptions(false, 0, 0, 0, false, false);

    public StoreOptions {
        if (offsetSectors < 0 || lengthSectors < 0 || sizeBytes < 0) {
            throw new IllegalArgumentException("offset, length and size must not be negative");
        }
    }
}
