package dev.aoe.initiator.protocol;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The tags of this initiator. Every tag has bit 31 set: the Linux driver ignores responses with that
 * bit, so this initiator can share a host with aoe.ko. Every transmission, retransmissions included,
 * takes a new tag, so a response names the exact transmission it answers (an exact RTT sample) and a
 * late answer to an old one is recognisably late.
 * <pre>
 *  31   30   29 ........ 16  15 ........ 0
 * +----+----+--------------+--------------+
 * |user| ATA|  generation  |  frame slot  |   ATA frames: the device's slot, reused with a new generation
 * +----+----+--------------+--------------+
 * |user| 0  |  counter (30 bits)          |   control requests and discovery: this table
 * +----+----+-----------------------------+
 * </pre>
 * This class hands out and looks up the control tags; a device's engine makes its ATA tags itself.
 */
public final class TagSpace {

    public static final int USER_BIT = 0x8000_0000;
    public static final int ATA_BIT = 0x4000_0000;
    public static final int SLOT_MASK = 0xFFFF;
    public static final int GENERATION_SHIFT = 16;
    public static final int GENERATION_MASK = 0x3FFF;

    /** The tag of an ATA frame in slot {@code slot}, {@code generation} times reused. */
    public static int ataTag(int generation, int slot) {
        return USER_BIT | ATA_BIT | (generation & GENERATION_MASK) << GENERATION_SHIFT | slot;
    }

    public static boolean isAta(int tag) {
        return (tag & (USER_BIT | ATA_BIT)) == (USER_BIT | ATA_BIT);
    }

    private final ConcurrentHashMap<Integer, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicInteger counter = new AtomicInteger();

    public int register(Pending p) {
        while (true) {
            int tag = USER_BIT | (counter.incrementAndGet() & 0x3FFF_FFFF);
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
