package dev.aoe.initiator.protocol;

/**
 * How many frames may be in flight on one path, as the Linux driver grows its maxout: slow start
 * (one more per answer) up to a threshold, then one more per window of answers; a loss halves it
 * and sets the threshold there. Never above the cap (the target's buffer count, our local limit) or below 1.
 */
public final class CongestionWindow {

    private final int cap;
    private double window = 1;
    private double threshold;

    public CongestionWindow(int cap) {
        if (cap < 1) {
            throw new IllegalArgumentException("window cap " + cap + " < 1");
        }
        this.cap = cap;
        this.threshold = cap;
    }

    public synchronized int allowed() {
        return (int) Math.max(1, Math.min(cap, Math.floor(window)));
    }

    public synchronized void onAnswer() {
        window += window < threshold ? 1 : 1 / window;
        window = Math.min(window, cap);
    }

    public synchronized void onLoss() {
        threshold = Math.max(1, window / 2);
        window = threshold;
    }

    public int cap() {
        return cap;
    }

    public synchronized double window() {
        return window;
    }
}
