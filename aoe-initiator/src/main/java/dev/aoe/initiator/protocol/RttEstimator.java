package dev.aoe.initiator.protocol;

import java.util.concurrent.TimeUnit;

/**
 * Smoothed round-trip time and its mean deviation (Jacobson/Karels), giving the retransmit timeout as
 * the Linux driver computes it, RTO = 2 SRTT + 8 RTTVAR (RFC 6298's SRTT + 4 RTTVAR fired spuriously
 * while slow start deepened the target's queue), doubled after each timeout until a new sample or
 * {@link #resetBackoff}, within [{@link #MIN_RTO_NANOS}, {@link #MAX_RTO_NANOS}]. Not thread-safe:
 * the device engine's lock guards it.
 */
public final class RttEstimator {

    /**
     * A floor well above LAN round trips (0.1-1 ms), a busy target's queue and a GC pause, so that a
     * slow fsync rarely causes a duplicate write; lost frames in a full window are found sooner, from
     * the answers to later frames.
     */
    public static final long MIN_RTO_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    public static final long MAX_RTO_NANOS = TimeUnit.SECONDS.toNanos(1);
    public static final long INITIAL_RTO_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private double srtt = -1;
    private double rttvar;
    private int backoff;

    public void sample(long rttNanos) {
        if (srtt < 0) {
            srtt = rttNanos;
            rttvar = rttNanos / 2.0;
        } else {
            rttvar = 0.75 * rttvar + 0.25 * Math.abs(srtt - rttNanos);
            srtt = 0.875 * srtt + 0.125 * rttNanos;
        }
        backoff = 0;
    }

    /** After a timeout: the next RTO doubles. */
    public void backOff() {
        if (backoff < 10) {
            backoff++;
        }
    }

    /** The path answered again (a probe, after a blackout): back to the plain RTO. */
    public void resetBackoff() {
        backoff = 0;
    }

    public long rtoNanos() {
        double base = srtt < 0 ? INITIAL_RTO_NANOS : Math.max(MIN_RTO_NANOS, 2 * srtt + 8 * rttvar);
        return (long) Math.min(MAX_RTO_NANOS, base * (1L << backoff));
    }

    /** The smoothed RTT in nanoseconds, or -1 before the first sample. */
    public long srttNanos() {
        return (long) srtt;
    }

    public long rttvarNanos() {
        return (long) rttvar;
    }
}
