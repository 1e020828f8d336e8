package dev.aoe.link.memory;

import dev.aoe.ethernet.MacAddress;
import dev.aoe.link.FrameHandler;
import dev.aoe.link.FrameLink;
import dev.aoe.link.LinkException;
import io.netty.buffer.ByteBuf;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One port of a {@link MemorySwitch}. Received frames arrive in order on the port's own thread. */
public final class MemoryLink implements FrameLink {

    private static final Logger log = LoggerFactory.getLogger(MemoryLink.class);

    private final MemorySwitch network;
    private final String name;
    private final MacAddress mac;
    private final int mtu;
    private final ScheduledThreadPoolExecutor receiver;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong duplicated = new AtomicLong();
    private volatile Faults faults = Faults.NONE;
    private volatile FrameHandler handler;
    private volatile boolean closed;
    private ByteBuf held;
    /** Frames queued for delivery, so close() can release the ones it cancels. */
    private final Set<ByteBuf> inTransit = Collections.newSetFromMap(new IdentityHashMap<>());

    MemoryLink(MemorySwitch network, String name, MacAddress mac, int mtu) {
        this.network = network;
        this.name = name;
        this.mac = mac;
        this.mtu = mtu;
        this.receiver = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "memory-link-" + name);
            t.setDaemon(true);
            return t;
        });
        receiver.setRemoveOnCancelPolicy(true);
    }

    @Override
    public String name() {
        return "memory:" + name;
    }

    @Override
    public MacAddress mac() {
        return mac;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    public Faults faults() {
        return faults;
    }

    /** Faults applied from now on to the frames this port sends. */
    public void faults(Faults value) {
        this.faults = value;
    }

    public long sentFrames() {
        return sent.get();
    }

    public long receivedFrames() {
        return received.get();
    }

    /** Frames this port sent that the switch dropped (faults, oversize, receiver closed). */
    public long droppedFrames() {
        return dropped.get();
    }

    /** Extra copies of frames this port sent that the switch delivered (duplicate faults). */
    public long duplicatedFrames() {
        return duplicated.get();
    }

    void countDuplicated() {
        duplicated.incrementAndGet();
    }

    void countDropped() {
        dropped.incrementAndGet();
    }

    @Override
    public void start(FrameHandler frameHandler) {
        if (handler != null) {
            throw new IllegalStateException(name() + " already started");
        }
        handler = frameHandler;
    }

    @Override
    public void send(ByteBuf frame) {
        if (closed) {
            frame.release();
            throw new LinkException(name() + " is closed");
        }
        sent.incrementAndGet();
        network.forward(this, frame);
    }

    /** Takes ownership of {@code copy}; with {@code hold}, lets the next frame overtake it. */
    synchronized void enqueue(ByteBuf copy, long delayNanos, boolean hold) {
        if (hold && held == null) {
            held = copy;
            synchronized (inTransit) {
                inTransit.add(copy);
            }
            schedule(this::releaseHeld, TimeUnit.MILLISECONDS.toNanos(MemorySwitch.REORDER_HOLD_MILLIS), null);
            return;
        }
        schedule(() -> deliver(copy), delayNanos, copy);
        ByteBuf overtaken = held;
        if (overtaken != null) {
            held = null;
            schedule(() -> deliver(overtaken), delayNanos, overtaken);
        }
    }

    private synchronized void releaseHeld() {
        ByteBuf frame = held;
        if (frame != null) {
            held = null;
            deliver(frame);
        }
    }

    private void schedule(Runnable task, long delayNanos, ByteBuf owned) {
        if (owned != null) {
            synchronized (inTransit) {
                inTransit.add(owned);
            }
        }
        try {
            if (delayNanos == 0) {
                receiver.execute(task);
            } else {
                receiver.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
            }
        } catch (RejectedExecutionException closedMeanwhile) {
            if (owned != null && untrack(owned)) {
                owned.release();
            }
        }
    }

    private boolean untrack(ByteBuf frame) {
        synchronized (inTransit) {
            return inTransit.remove(frame);
        }
    }

    private void deliver(ByteBuf frame) {
        if (!untrack(frame)) {
            return;   // released by close()
        }
        try {
            FrameHandler h = handler;
            if (h != null && !closed) {
                received.incrementAndGet();
                h.onFrame(frame);
            }
        } catch (RuntimeException e) {
            log.warn("{}: frame handler failed", name(), e);
        } finally {
            frame.release();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        network.disconnect(this);
        receiver.shutdownNow();   // delayed frames are not delivered after close; they are released below
        try {
            receiver.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (inTransit) {
            inTransit.forEach(ByteBuf::release);
            inTransit.clear();
        }
        synchronized (this) {
            held = null;   // tracked in inTransit, released above
        }
    }

    @Override
    public String toString() {
        return name() + " " + mac + " mtu " + mtu;
    }
}
