package dev.aoe.link.memory;

import dev.aoe.ethernet.MacAddress;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A virtual Ethernet switch for tests and benchmarks, usable without root: any number of
 * {@link MemoryLink} endpoints, unicast by destination MAC, broadcast and multicast to every other
 * endpoint, unknown unicast dropped. Each endpoint's {@link Faults} apply to what it sends.
 */
public final class MemorySwitch implements AutoCloseable {

    /** How long a frame picked for reordering waits for a later frame to overtake it. */
    static final long REORDER_HOLD_MILLIS = 20;

    private final Map<MacAddress, MemoryLink> ports = new ConcurrentHashMap<>();
    private final Random random;
    private int nextAutoMac = 1;

    public MemorySwitch() {
        this(0x5EED);
    }

    /** A switch whose random faults replay exactly for the same seed and the same sequence of sends. */
    public MemorySwitch(long seed) {
        this.random = new Random(seed);
    }

    /** Connects an endpoint with a locally administered MAC (02:00:00:00:00:NN) and MTU 1500. */
    public synchronized MemoryLink connect(String name) {
        return connect(name, new MacAddress(0x0200_0000_0000L + nextAutoMac++), 1500);
    }

    public MemoryLink connect(String name, MacAddress mac, int mtu) {
        MemoryLink link = new MemoryLink(this, name, mac, mtu);
        if (ports.putIfAbsent(mac, link) != null) {
            throw new IllegalArgumentException("MAC " + mac + " is already connected to this switch");
        }
        return link;
    }

    void disconnect(MemoryLink link) {
        ports.remove(link.mac(), link);
    }

    /** Forwards a frame sent by {@code from}; consumes the buffer. */
    void forward(MemoryLink from, ByteBuf frame) {
        try {
            if (frame.readableBytes() > from.mtu() + 14 || frame.readableBytes() < 14) {
                from.countDropped();
                return;
            }
            MacAddress destination = MacAddress.read(frame, frame.readerIndex());
            List<MemoryLink> targets = new ArrayList<>();
            if (destination.isMulticast()) {
                ports.values().stream().filter(p -> p != from).forEach(targets::add);
            } else {
                MemoryLink port = ports.get(destination);
                if (port != null && port != from) {
                    targets.add(port);
                }
            }
            Faults faults = from.faults();
            for (MemoryLink target : targets) {
                deliver(from, target, frame, faults);
            }
        } finally {
            frame.release();
        }
    }

    private void deliver(MemoryLink from, MemoryLink target, ByteBuf frame, Faults faults) {
        boolean drop;
        int copies;
        boolean reorder;
        synchronized (random) {
            drop = faults.dropIf().test(frame.duplicate()) || random.nextDouble() < faults.dropRate();
            copies = random.nextDouble() < faults.duplicateRate() ? 2 : 1;
            reorder = random.nextDouble() < faults.reorderRate();
        }
        if (drop || frame.readableBytes() > target.mtu() + 14) {
            from.countDropped();
            return;
        }
        if (copies > 1) {
            from.countDuplicated();
        }
        long delayNanos = TimeUnit.NANOSECONDS.convert(faults.delay());
        for (int i = 0; i < copies; i++) {
            target.enqueue(frame.copy(), delayNanos, reorder && i == 0);
        }
    }

    @Override
    public void close() {
        for (MemoryLink link : List.copyOf(ports.values())) {
            link.close();
        }
    }
}
