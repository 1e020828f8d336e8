package dev.aoe.initiator;

import dev.aoe.ethernet.MacAddress;
import dev.aoe.initiator.protocol.CongestionWindow;
import dev.aoe.initiator.protocol.RttEstimator;
import dev.aoe.link.FrameBatch;
import dev.aoe.link.FrameLink;

/**
 * One path to a device (our link, the target's MAC on it) with its own window, RTT and send sequence,
 * as Linux keeps per target MAC. A path found after the device was opened is on probation until an
 * IDENTIFY through it shows the same disk. The engine's lock guards the mutable fields.
 */
final class DevicePath {

    /** Consecutive losses after which a path is avoided while another one answers. */
    static final int DOWN_AFTER = 8;
    /** Later transmissions answered before a frame is taken for lost: 3 at first, as TCP's fast retransmit. */
    static final int FIRST_REORDER = 3;
    static final int MAX_REORDER = 64;

    final FrameLink link;
    final FrameBatch batch;
    final MacAddress mac;
    final long macBits;
    final long localMac;
    final CongestionWindow window;
    final RttEstimator rtt = new RttEstimator();
    /** Identity confirmed: carries ordinary I/O. */
    boolean confirmed;
    int inFlight;
    /** Sequence number of the last transmission on this path, and of the newest one answered. */
    long sendSeq;
    long answeredSeq;
    int consecutiveLosses;
    int reorderThreshold = FIRST_REORDER;
    long sent;
    long answered;
    long lost;
    /** The last error a send on this path met (the interface went down or away), for the dead-time message. */
    String lastSendFailure;

    DevicePath(FrameLink link, MacAddress mac, int cap, boolean confirmed) {
        this.link = link;
        this.batch = link.batch();
        this.mac = mac;
        this.macBits = mac.value();
        this.localMac = link.mac().value();
        this.window = new CongestionWindow(cap);
        this.confirmed = confirmed;
    }

    boolean hasRoom() {
        return inFlight < window.allowed();
    }

    boolean down() {
        return consecutiveLosses >= DOWN_AFTER;
    }

    boolean is(FrameLink l, long targetMac) {
        return link == l && macBits == targetMac;
    }

    @Override
    public String toString() {
        return link.name() + "->" + mac;
    }
}
