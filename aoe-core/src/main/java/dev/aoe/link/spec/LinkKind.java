package dev.aoe.link.spec;

import dev.aoe.link.FrameLink;
import dev.aoe.link.afpacket.AfPacketLink;
import dev.aoe.link.afpacket.RingVersion;
import dev.aoe.link.pcap.PcapLink;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The ways a live interface can be opened, by the name the command-line tools accept for {@code --link}. */
public enum LinkKind {
    /** libpcap through pcap4j: portable, a JNA call and a copy per frame. */
    PCAP("pcap"),
    /** AF_PACKET with a TPACKET_V2 receive ring and sendmmsg batches (Linux). */
    AFPACKET("afpacket"),
    /** AF_PACKET with a TPACKET_V3 (block) receive ring: latency bound by the block retire timer. */
    AFPACKET_V3("afpacket-v3");

    private final String label;

    LinkKind(String label) {
        this.label = label;
    }

    /** Opens {@code interfaceName} this way. */
    public FrameLink open(String interfaceName) {
        return open(interfaceName, 0);
    }

    /** Opens {@code interfaceName} this way; {@code busyPollMicros} applies to AF_PACKET links only. */
    public FrameLink open(String interfaceName, int busyPollMicros) {
        return switch (this) {
            case PCAP -> PcapLink.open(interfaceName);
            case AFPACKET -> AfPacketLink.open(interfaceName, RingVersion.V2, busyPollMicros);
            case AFPACKET_V3 -> AfPacketLink.open(interfaceName, RingVersion.V3, busyPollMicros);
        };
    }

    /** The kind named {@code label} ({@code pcap}, {@code afpacket}, {@code afpacket-v3}). */
    public static LinkKind of(String label) {
        for (LinkKind kind : values()) {
            if (kind.label.equals(label)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown link '" + label + "': expected one of " + labels());
    }

    /** "pcap, afpacket, afpacket-v3". */
    public static String labels() {
        return Arrays.stream(values()).map(LinkKind::toString).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return label;
    }
}
