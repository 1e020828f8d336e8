package dev.aoe.boot;

/** What connects the VM's NIC to the target. */
public enum BootNetwork {
    /**
     * A tap device in the host's namespace, created and removed by the boot (root only): the target
     * serves it through AF_PACKET, dnsmasq (for PXE, and sanboot's root path) answers on it.
     */
    TAP,
    /**
     * QEMU's {@code -netdev dgram}: each Ethernet frame one UDP datagram on 127.0.0.1, the target on a
     * {@link dev.aoe.link.udp.UdpLink}. No root, no raw socket; the default for other users.
     */
    UDP
}
