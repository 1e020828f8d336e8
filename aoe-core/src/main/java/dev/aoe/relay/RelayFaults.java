package dev.aoe.relay;

import java.time.Duration;

/**
 * What a {@link Relay} does to the frames it carries, each direction alike: the share it drops,
 * sends twice, and holds back until the next frame overtakes it (or {@code reorderHold} passes), a
 * delay for every frame, and the seed of its random source (a seed replays a run).
 */
public record RelayFaults(double lossRate, double duplicateRate, double reorderRate, Duration delay,
                          Duration reorderHold, long seed) {

    public static final RelayFaults NONE = new RelayFaults(0, 0, 0, Duration.ZERO, Duration.ofMillis(5), 1);

    public RelayFaults {
        checkRate("loss", lossRate);
        checkRate("duplicate", duplicateRate);
        checkRate("reorder", reorderRate);
        if (delay.isNegative() || reorderHold.isNegative()) {
            throw new IllegalArgumentException("negative delay or hold: " + delay + ", " + reorderHold);
        }
    }

    private static void checkRate(String what, double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException(what + " rate " + rate + " is outside 0..1");
        }
    }

    public RelayFaults withLoss(double rate) {
        return new RelayFaults(rate, duplicateRate, reorderRate, delay, reorderHold, seed);
    }

    public RelayFaults withDuplicate(double rate) {
        return new RelayFaults(lossRate, rate, reorderRate, delay, reorderHold, seed);
    }

    public RelayFaults withReorder(double rate) {
        return new RelayFaults(lossRate, duplicateRate, rate, delay, reorderHold, seed);
    }

    public RelayFaults withDelay(Duration value) {
        return new RelayFaults(lossRate, duplicateRate, reorderRate, value, reorderHold, seed);
    }

    public RelayFaults withSeed(long value) {
        return new RelayFaults(lossRate, duplicateRate, reorderRate, delay, reorderHold, value);
    }
}
