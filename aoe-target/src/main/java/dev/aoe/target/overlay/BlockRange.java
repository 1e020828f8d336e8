package dev.aoe.target.overlay;

/** A run of {@code count} consecutive 4 KiB blocks from {@code first}. */
public record BlockRange(long first, long count) {

    public long firstByte() {
        return first * OverlayMap.BLOCK_SIZE;
    }

    /** Bytes covered; the device's last block may be shorter than this says. */
    public long bytes() {
        return count * OverlayMap.BLOCK_SIZE;
    }
}
