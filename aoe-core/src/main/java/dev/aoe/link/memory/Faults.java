package dev.aoe.link.memory;

import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * Faults a {@link MemoryLink} applies to the frames it sends: random loss, duplication and reordering
 * (drawn from the switch's seeded random source, so a seed replays a run), a fixed delay, and a
 * predicate that drops chosen frames deterministically.
 */
public record Faults(double dropRate, double duplicateRate, double reorderRate, Duration delay,
                     Predicate<ByteBuf> dropIf) {

    public static final Faults NONE = new Faults(0, 0, 0, Duration.ZERO, frame -> false);

    public Faults {
        checkRate("drop", dropRate);
        checkRate("duplicate", duplicateRate);
        checkRate("reorder", reorderRate);
        if (delay.isNegative()) {
            throw new IllegalArgumentException("negative delay " + delay);
        }
    }

    private static void checkRate(String what, double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw new IllegalArgumentException(what + " rate " + rate + " is outside 0..1");
        }
    }

    public Faults withDropRate(double rate) {
        return new Faults(rate, duplicateRate, reorderRate, delay, dropIf);
    }

    public Faults withDuplicateRate(double rate) {
        return new Faults(dropRate, rate, reorderRate, delay, dropIf);
    }

    public Faults withReorderRate(double rate) {
        return new Faults(dropRate, duplicateRate, rate, delay, dropIf);
    }

    public Faults withDelay(Duration value) {
        return new Faults(dropRate, duplicateRate, reorderRate, value, dropIf);
    }

    /** Drops every frame the predicate accepts (it sees the frame's readable bytes; it must not consume them). */
    public Faults withDropIf(Predicate<ByteBuf> predicate) {
        return new Faults(dropRate, duplicateRate, reorderRate, delay, predicate);
    }
}
