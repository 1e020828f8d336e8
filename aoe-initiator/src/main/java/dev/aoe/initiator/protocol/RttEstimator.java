package dev.aoe.initiator.protocol;

import java.util.concurrent.TimeUnit;

/**
 * Smoothed round-trip time and its mean deviation (Jacobson/Karels), giving the retransmit timeout as
 * the Linux driver computes it, RTO = 2 SRTT + 8 RTTVAR (RFC 6298's SRTT + 4 RTTVAR fired spuriously
 * while slow start deepened the target's queue), doubled after each timeout until a new sample
 * arrives, within [{@link #MIN_RTO_NANOS}, {@link #MAX_RTO_NANOS}].
 */
public final class RttEstimator {

    /** A floor well above LAN round trips (0.1-1 ms), so a slow fsync or GC pause does not cause a duplicate write. */
    public static final long MIN_RTO_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    public static final long MAX_RTO_NANOS = TimeUnit.SECONDS.toNanos(2);
    public static final long INITIAL_RTO_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private double srtt = -1;
    private double rttvar;
    private int backoff;

    public synchronized void sample(long rttNanos) {
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
    public synchronized void backOff() {
        if (backoff < 10) {
            backoff++;
        }
    }

    public synchronized long rtoNanos() {
        double base = srtt < 0 ? INITIAL_RTO_NANOS : Math.max(MIN_RTO_NANOS, 2 * srtt + 8 * rttvar);
        return (long) Math.min(MAX_RTO_NANOS, base * (1L << backoff));
    }

    /** The smoothed RTT in nanoseconds, or -1 before the first sample. */
    public synchronized long srttNanos() {
        return (long) srtt;
    }

    public synchronized long rttvarNanos() {
        return (long) rttvar;
    }
}
