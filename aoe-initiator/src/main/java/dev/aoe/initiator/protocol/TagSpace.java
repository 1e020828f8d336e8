package dev.aoe.initiator.protocol;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Tags of the requests in flight, each unique among them, each with bit 31 set: the Linux driver
 * ignores responses with that bit, so this initiator can share a host with aoe.ko. Every
 * transmission, retransmissions included, takes a new tag, so a response names the exact
 * transmission it answers (an exact RTT sample) and a late answer to an old one is recognisably late.
 */
public final class TagSpace {

    public static final int USER_BIT = 0x8000_0000;

    private final ConcurrentHashMap<Integer, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicInteger counter = new AtomicInteger();

    public int register(Pending p) {
        while (true) {
            int tag = USER_BIT | (counter.incrementAndGet() & 0x7FFF_FFFF);
            if (pending.putIfAbsent(tag, p) == null) {
                return tag;
            }
        }
    }

    public Pending lookup(int tag) {
        return pending.get(tag);
    }

    /** Removes the tag if it still belongs to {@code p}; false when it was answered or dropped already. */
    public boolean remove(int tag, Pending p) {
        return pending.remove(tag, p);
    }

    public int size() {
        return pending.size();
    }
}
