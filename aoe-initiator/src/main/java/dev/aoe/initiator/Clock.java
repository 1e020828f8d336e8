package dev.aoe.initiator;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The initiator's one timer thread: every {@link #TICK_NANOS} while some device has work it visits
 * each engine ({@link FrameEngine#tick}), which finds lost frames by scanning its slots; no timer
 * object per frame. With no work anywhere it parks until a request arrives, so an idle initiator
 * costs nothing.
 */
final class Clock implements AutoCloseable {

    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private final CopyOnWriteArrayList<FrameEngine> engines = new CopyOnWriteArrayList<>();
    private final Consumer<FrameEngine> probe;
    private final Thread thread;
    private volatile boolean stopped;

    /** {@code probe} is asked to look for an engine's target when the target has gone silent. */
    Clock(Consumer<FrameEngine> probe) {
        this.probe = probe;
        this.thread = new Thread(this::run, "aoe-initiator-clock");
        thread.setDaemon(true);
        thread.start();
    }

    void add(FrameEngine engine) {
        engines.add(engine);
    }

    void remove(FrameEngine engine) {
        engines.remove(engine);
    }

    /** A device went from idle to busy: tick again soon. */
    void wake() {
        LockSupport.unpark(thread);
    }

    private void run() {
        while (!stopped) {
            boolean busy = false;
            long now = System.nanoTime();
            for (FrameEngine engine : engines) {
                int state;
                try {
                    state = engine.tick(now);
                } catch (RuntimeException e) {
                    state = FrameEngine.TICK_BUSY;   // never let one engine stop the clock
                }
                busy |= (state & FrameEngine.TICK_BUSY) != 0;
                if ((state & FrameEngine.TICK_PROBE) != 0) {
                    try {
                        probe.accept(engine);
                    } catch (RuntimeException e) {
                        // a link that cannot send: the next tick probes again
                    }
                }
            }
            if (busy) {
                LockSupport.parkNanos(TICK_NANOS);
            } else {
                LockSupport.park();
            }
        }
    }

    @Override
    public void close() {
        stopped = true;
        LockSupport.unpark(thread);
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
