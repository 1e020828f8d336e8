package dev.aoe.initiator;

import dev.aoe.ethernet.MacAddress;
import dev.aoe.initiator.protocol.CongestionWindow;
import dev.aoe.initiator.protocol.RttEstimator;
import dev.aoe.link.FrameLink;

/** One path to a device (our link, the target's MAC on it) with its own window and RTT, as Linux keeps per target MAC. */
final class DevicePath {

    final FrameLink link;
    final MacAddress mac;
    final CongestionWindow window;
    final RttEstimator rtt = new RttEstimator();
    int inFlight;
    long sent;
    long answered;
    long lost;

    DevicePath(FrameLink link, MacAddress mac, int cap) {
        this.link = link;
        this.mac = mac;
        this.window = new CongestionWindow(cap);
    }

    boolean hasRoom() {
        return inFlight < window.allowed();
    }

    @Override
    public String toString() {
        return link.name() + "->" + mac;
    }
}
