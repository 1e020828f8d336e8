package dev.aoe.target;

/**
 * Receives how long each ATA request of an export took, from its arrival to its reply being handed
 * to the link (a metrics histogram, say). Called on the serving threads: it must be quick and must
 * not allocate.
 */
@FunctionalInterface
public interface LatencyRecorder {

    void record(long nanos);
}
