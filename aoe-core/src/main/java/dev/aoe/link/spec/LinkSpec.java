package dev.aoe.link.spec;

import dev.aoe.link.FrameLink;
import dev.aoe.link.LinkException;
import dev.aoe.link.LinkUnsupportedException;
import dev.aoe.link.afpacket.AfPacketLink;
import dev.aoe.link.afpacket.RingVersion;
import dev.aoe.link.udp.UdpLink;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * A link as a command line names it: an interface ({@code eth0}, opened the default way), an
 * interface with its kind ({@code afpacket:eth0}, {@code afpacket-v3:eth0}, {@code pcap:eth0}), or
 * a UDP socket that carries frames as QEMU's {@code -netdev dgram} does
 * ({@code udp:[HOST:]PORT[-[HOST:]REMOTEPORT]}: listen on PORT, also send broadcasts to REMOTEPORT;
 * hosts default to 127.0.0.1).
 *
 * @param kind  how to open it; null for a UDP socket
 * @param name  the interface name, or the UDP addresses as written
 */
public record LinkSpec(LinkKind kind, String name, InetSocketAddress local, InetSocketAddress remote) {

    /**
     * What opening a link the default way gave: the link (or the links of one interface shared between
     * threads), and why it is not the default kind (or null).
     */
    public record Opened(List<FrameLink> links, String fallbackReason) {

        /** The link (the first, when several share the interface). */
        public FrameLink link() {
            return links.get(0);
        }
    }

    /** Parses {@code text}; a plain interface name gets {@code defaultKind}. */
    public static LinkSpec parse(String text, LinkKind defaultKind) {
        if (text.startsWith("udp:")) {
            String rest = text.substring(4);
            int dash = rest.indexOf('-');
            InetSocketAddress local = address(dash < 0 ? rest : rest.substring(0, dash), text);
            InetSocketAddress remote = dash < 0 ? null : address(rest.substring(dash + 1), text);
            return new LinkSpec(null, text, local, remote);
        }
        int colon = text.indexOf(':');
        if (colon > 0) {
            LinkKind kind = LinkKind.of(text.substring(0, colon));
            return new LinkSpec(kind, text.substring(colon + 1), null, null);
        }
        if (text.isEmpty()) {
            throw new IllegalArgumentException("an empty interface name");
        }
        return new LinkSpec(defaultKind, text, null, null);
    }

    private static InetSocketAddress address(String hostPort, String whole) {
        int colon = hostPort.lastIndexOf(':');
        String host = colon < 0 ? "127.0.0.1" : hostPort.substring(0, colon);
        try {
            int port = Integer.parseInt(colon < 0 ? hostPort : hostPort.substring(colon + 1));
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return new InetSocketAddress(host, port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + whole + "' is not a UDP link like udp:5556-5555 or"
                    + " udp:127.0.0.1:5556-127.0.0.1:5555");
        }
    }

    public boolean udp() {
        return kind == null;
    }

    /**
     * Opens the link. An AF_PACKET link that cannot be opened for a reason other than the interface
     * or a missing privilege (not Linux, no JNA, an old kernel) falls back to pcap, and says why.
     *
     * @param busyPollMicros how long an AF_PACKET receive thread watches its ring before it sleeps
     */
    public Opened open(int busyPollMicros) {
        return open(busyPollMicros, 1);
    }

    /**
     * Opens the link as {@code threads} links sharing the interface's frames by source MAC, each with
     * its own receive thread (AF_PACKET's PACKET_FANOUT); other kinds take one thread.
     *
     * @throws IllegalArgumentException for several threads on a link kind that cannot share an interface
     */
    public Opened open(int busyPollMicros, int threads) {
        if (threads > 1 && kind != LinkKind.AFPACKET) {
            throw new IllegalArgumentException(this + ": only AF_PACKET links (afpacket:IFACE) can be shared by threads");
        }
        if (udp()) {
            return new Opened(List.of(UdpLink.open(local, remote, null, UdpLink.DEFAULT_MTU)), null);
        }
        if (kind != LinkKind.AFPACKET) {
            return new Opened(List.of(kind.open(name, busyPollMicros)), null);
        }
        try {
            return new Opened(List.copyOf(AfPacketLink.openGroup(name, RingVersion.V2, busyPollMicros, threads)), null);
        } catch (LinkException e) {
            if (!(e instanceof LinkUnsupportedException) || threads > 1) {
                throw e;
            }
            return new Opened(List.of(LinkKind.PCAP.open(name)), "AF_PACKET is not available here (" + e.getMessage()
                    + ")");
        }
    }

    @Override
    public String toString() {
        return udp() ? name : kind + ":" + name;
    }
}
