package dev.aoe.relay;

import dev.aoe.link.FrameBatch;
import dev.aoe.link.FrameLink;
import dev.aoe.link.LinkException;
import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A user-space bridge for AoE frames between two links (two veth ends, say) that misbehaves on
 * purpose: it drops, duplicates, reorders and delays frames at the rates of its {@link RelayFaults},
 * drawn from one seeded random source, and blacks the path out on demand. For testing initiators and
 * targets as real processes on either side, what {@code tc netem} would do where it is not available.
 * Only AoE frames cross (the links carry nothing else).
 */
public final class Relay implements AutoCloseable {

    private final FrameLink a;
    private final FrameLink b;
    private final Direction toB;
    private final Direction toA;
    private final Random random;
    private final ScheduledExecutorService later = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "relay-delay");
        t.setDaemon(true);
        return t;
    });
    private volatile RelayFaults faults;
    private volatile boolean blackout;
    private volatile long blackoutEndedNanos;
    private volatile long blackoutStartedNanos;
    private volatile long blackoutArmedAt = -1;
    private volatile Duration armedLength;

    /** Counters of one direction. */
    public static final class Counters {
        final LongAdder forwarded = new LongAdder();
        final LongAdder dropped = new LongAdder();
        final LongAdder duplicated = new LongAdder();
        final LongAdder reordered = new LongAdder();
        volatile long lastForwardedNanos;
        volatile long firstAfterBlackoutNanos;

        public long forwarded() {
            return forwarded.sum();
        }

        public long dropped() {
            return dropped.sum();
        }

        public long duplicated() {
            return duplicated.sum();
        }

        public long reordered() {
            return reordered.sum();
        }

        /** {@link System#nanoTime()} of the last frame forwarded, or 0. */
        public long lastForwardedNanos() {
            return lastForwardedNanos;
        }

        /** {@link System#nanoTime()} of the first frame forwarded after the last blackout ended, or 0. */
        public long firstAfterBlackoutNanos() {
            return firstAfterBlackoutNanos;
        }

        @Override
        public String toString() {
            return "forwarded=" + forwarded() + " dropped=" + dropped() + " duplicated=" + duplicated() + " reordered="
                    + reordered();
        }
    }

    /** Frames one way: the link they leave on, one held for reordering, and counters. */
    private final class Direction {
        final FrameLink out;
        final FrameBatch batch;
        final Counters counters = new Counters();
        private byte[] held;

        Direction(FrameLink out) {
            this.out = out;
            this.batch = out.batch();
        }

        /** On the receiving link's thread: decide the frame's fate and send what goes out now. */
        void onFrame(ByteBuf frame) {
            long armed = blackoutArmedAt;
            if (armed >= 0 && this == toB && counters.forwarded() >= armed) {
                blackoutArmedAt = -1;
                blackoutFor(armedLength);
            }
            RelayFaults f = faults;
            boolean drop;
            boolean duplicate;
            boolean hold;
            synchronized (random) {
                drop = blackout || random.nextDouble() < f.lossRate();
                duplicate = random.nextDouble() < f.duplicateRate();
                hold = random.nextDouble() < f.reorderRate();
            }
            if (drop) {
                counters.dropped.increment();
                return;
            }
            byte[] copy = new byte[frame.readableBytes()];
            frame.getBytes(frame.readerIndex(), copy);
            if (f.delay().isZero()) {
                send(copy, duplicate, hold);
            } else {
                later.schedule(() -> send(copy, duplicate, hold), f.delay().toNanos(), TimeUnit.NANOSECONDS);
            }
        }

        private synchronized void send(byte[] frame, boolean duplicate, boolean hold) {
            byte[] overtaken = held;
            if (hold && overtaken == null) {
                held = frame;   // the next frame overtakes it, or the timer lets it go
                counters.reordered.increment();
                later.schedule(this::releaseHeld, faults.reorderHold().toNanos(), TimeUnit.NANOSECONDS);
                return;
            }
            held = null;
            transmit(frame, duplicate ? 2 : 1);
            if (overtaken != null) {
                transmit(overtaken, 1);
            }
        }

        private synchronized void releaseHeld() {
            if (held != null) {
                transmit(held, 1);
                held = null;
            }
        }

        private void transmit(byte[] frame, int copies) {
            try {
                batch.open();
                try {
                    for (int i = 0; i < copies; i++) {
                        ByteBuf slot = batch.frame(frame.length);
                        slot.writeBytes(frame);
                        batch.commit(slot);
                    }
                } finally {
                    batch.close();
                }
                counters.forwarded.add(copies);
                counters.duplicated.add(copies - 1);
                long now = System.nanoTime();
                counters.lastForwardedNanos = now;
                if (blackoutEndedNanos != 0 && counters.firstAfterBlackoutNanos == 0) {
                    counters.firstAfterBlackoutNanos = now;
                }
            } catch (LinkException e) {
                counters.dropped.add(copies);   // the interface went away or is full: lost, as on a wire
            }
        }
    }

    private Relay(FrameLink a, FrameLink b, RelayFaults faults) {
        this.a = a;
        this.b = b;
        this.faults = faults;
        this.random = new Random(faults.seed());
        this.toB = new Direction(b);
        this.toA = new Direction(a);
    }

    /** Starts relaying between two links (it takes them over: closing the relay closes them). */
    public static Relay start(FrameLink a, FrameLink b, RelayFaults faults) {
        Relay relay = new Relay(a, b, faults);
        a.start(relay.toB::onFrame);
        b.start(relay.toA::onFrame);
        return relay;
    }

    /** Faults from now on (the random source keeps going: a seed replays a whole run, changes included). */
    public void faults(RelayFaults value) {
        this.faults = value;
    }

    public RelayFaults faults() {
        return faults;
    }

    /** While on, every frame both ways is dropped: a cable pulled. */
    public void blackout(boolean on) {
        if (on && !blackout) {
            blackoutStartedNanos = System.nanoTime();
        }
        if (!on && blackout) {
            toA.counters.firstAfterBlackoutNanos = 0;
            toB.counters.firstAfterBlackoutNanos = 0;
            blackoutEndedNanos = System.nanoTime();
        }
        this.blackout = on;
    }

    /** Blacks out for {@code length} from now, then lets frames through again; returns at once. */
    public void blackoutFor(Duration length) {
        blackout(true);
        later.schedule(() -> blackout(false), length.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Blacks out for {@code length} once {@code frames} frames have gone from the first link to the
     * second: a blackout in the middle of a transfer, whatever the machine's speed.
     */
    public void blackoutAfter(long frames, Duration length) {
        armedLength = length;
        blackoutArmedAt = frames;
    }

    /** {@link System#nanoTime()} when the last blackout began, or 0. */
    public long blackoutStartedNanos() {
        return blackoutStartedNanos;
    }

    /** {@link System#nanoTime()} when the last blackout ended, or 0. */
    public long blackoutEndedNanos() {
        return blackoutEndedNanos;
    }

    /** Frames that entered on the first link and left on the second. */
    public Counters forward() {
        return toB.counters;
    }

    /** Frames that entered on the second link and left on the first. */
    public Counters backward() {
        return toA.counters;
    }

    @Override
    public void close() {
        later.shutdownNow();
        a.close();
        b.close();
    }

    @Override
    public String toString() {
        return a.name() + " -> " + b.name() + ": " + toB.counters + "; " + b.name() + " -> " + a.name() + ": "
                + toA.counters;
    }
}
