package dev.aoe.initiator.protocol;

/**
 * How many frames may be in flight on one path, as TCP and the Linux driver grow theirs: slow start
 * (one more per answer) up to a threshold, then one more per window of answers. A loss halves it
 * once per round trip: losses of frames sent before the last halving belong to the same event
 * ({@link #onLoss(long, long)}). Never above the cap (the target's buffer count, our local limit)
 * or below 1. Not thread-safe: the device engine's lock guards it.
 */
public final class CongestionWindow {

    private final int cap;
    private double window = 1;
    private double threshold;
    /** Frames sent up to this sequence number were in flight when the window last halved. */
    private long recover = -1;

    public CongestionWindow(int cap) {
        if (cap < 1) {
            throw new IllegalArgumentException("window cap " + cap + " < 1");
        }
        this.cap = cap;
        this.threshold = cap;
    }

    public int allowed() {
        return (int) Math.max(1, Math.min(cap, Math.floor(window)));
    }

    public void onAnswer() {
        window += window < threshold ? 1 : 1 / window;
        window = Math.min(window, cap);
    }

    /**
     * The frame sent as {@code lostSeq} was lost, {@code lastSent} being the newest sequence number
     * sent; true when this halved the window (the first loss of a round trip).
     */
    public boolean onLoss(long lostSeq, long lastSent) {
        if (lostSeq <= recover) {
            return false;
        }
        recover = lastSent;
        threshold = Math.max(1, window / 2);
        window = threshold;
        return true;
    }

    public int cap() {
        return cap;
    }

    public double window() {
        return window;
    }
}
