package dev.aoe.link.udp;

import dev.aoe.ethernet.Ethernet;
import dev.aoe.ethernet.MacAddress;
import dev.aoe.link.FrameHandler;
import dev.aoe.link.FrameLink;
import dev.aoe.link.LinkException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link FrameLink} that carries each Ethernet frame as one UDP datagram, the way QEMU's
 * {@code -netdev dgram} (and the older {@code -netdev socket,udp=}) does: no root, no raw socket.
 * It listens on a local address and learns where each MAC lives from the datagrams that arrive, like
 * a switch: frames to a learnt MAC go to its sender's address, broadcasts and frames to unknown MACs
 * go to every known peer and to the configured remote, if any. So one target socket serves many
 * virtual machines, each sending to it from its own port. Only AoE frames are delivered.
 */
public final class UdpLink implements FrameLink {

    private static final Logger log = LoggerFactory.getLogger(UdpLink.class);
    /** Enough for a 9000-byte MTU and then some: UDP carries up to 65,507 bytes on IPv4. */
    public static final int DEFAULT_MTU = 9000;
    private static final int MAX_PEERS = 256;

    private final DatagramChannel channel;
    private final InetSocketAddress local;
    private final InetSocketAddress remote;
    private final MacAddress mac;
    private final int mtu;
    private final ByteBuffer receiveBuffer;
    private final ByteBuf receiveView;
    /** Learnt peers: MAC (as a long) and the address its frames came from; copy-on-write arrays. */
    private volatile long[] peerMacs = new long[0];
    private volatile SocketAddress[] peerAddresses = new SocketAddress[0];
    private Thread receiver;
    private volatile boolean closed;

    private UdpLink(DatagramChannel channel, InetSocketAddress local, InetSocketAddress remote, MacAddress mac, int mtu) {
        this.channel = channel;
        this.local = local;
        this.remote = remote;
        this.mac = mac;
        this.mtu = mtu;
        this.receiveBuffer = ByteBuffer.allocateDirect(Ethernet.maxFrameLength(mtu) + 1);
        this.receiveView = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(receiveBuffer.duplicate()));
    }

    /**
     * Binds {@code local} and sends broadcasts also to {@code remote} (may be null: peers are then
     * only those that have sent something). The MAC, when null, is a locally administered address
     * made of the local port.
     *
     * @throws LinkException when the address cannot be bound (in use, not local), one line
     */
    public static UdpLink open(InetSocketAddress local, InetSocketAddress remote, MacAddress mac, int mtu) {
        if (mtu < 576 || mtu > 65_000) {
            throw new LinkException("MTU " + mtu + " is outside 576..65000 for a UDP link");
        }
        DatagramChannel channel;
        try {
            channel = DatagramChannel.open();
            channel.bind(local);
        } catch (IOException e) {
            throw new LinkException("cannot listen on UDP " + local + ": " + e.getMessage(), e);
        }
        InetSocketAddress bound = local;
        try {
            bound = (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            // keep the asked-for address for messages
        }
        MacAddress own = mac != null ? mac : new MacAddress(0x0200_0000_0000L | 0xAE00_0000L | bound.getPort());
        return new UdpLink(channel, bound, remote, own, mtu);
    }

    @Override
    public String name() {
        return "udp:" + local.getPort() + (remote == null ? "" : "-" + remote.getHostString() + ":" + remote.getPort());
    }

    @Override
    public MacAddress mac() {
        return mac;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    /** The address this link listens on (its port, when 0 was asked for). */
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public synchronized void start(FrameHandler handler) {
        if (receiver != null) {
            throw new IllegalStateException(name() + " already started");
        }
        receiver = new FastThreadLocalThread(() -> receiveLoop(handler), "udp-" + local.getPort());
        receiver.setDaemon(true);
        receiver.start();
    }

    private void receiveLoop(FrameHandler handler) {
        while (!closed) {
            SocketAddress from;
            try {
                receiveBuffer.clear();
                from = channel.receive(receiveBuffer);
            } catch (AsynchronousCloseException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    log.error("{}: receive failed, link stops receiving: {}", name(), e.getMessage());
                }
                return;
            }
            int length = receiveBuffer.position();
            if (from == null || length < Ethernet.HEADER_LENGTH || length > Ethernet.maxFrameLength(mtu)) {
                continue;
            }
            ByteBuf frame = receiveView.setIndex(0, length);
            learn(Ethernet.source(frame), from);
            if (Ethernet.etherType(frame) != Ethernet.ETHERTYPE_AOE) {
                continue;
            }
            try {
                handler.onFrame(frame);
            } catch (RuntimeException e) {
                log.warn("{}: frame handler failed", name(), e);
            }
        }
    }

    private void learn(long source, SocketAddress from) {
        long[] macs = peerMacs;
        for (int i = 0; i < macs.length; i++) {
            if (macs[i] == source) {
                if (!peerAddresses[i].equals(from)) {
                    relearn(source, from);
                }
                return;
            }
        }
        relearn(source, from);
    }

    private synchronized void relearn(long source, SocketAddress from) {
        long[] macs = peerMacs;
        SocketAddress[] addresses = peerAddresses;
        for (int i = 0; i < macs.length; i++) {
            if (macs[i] == source) {
                SocketAddress[] copy = addresses.clone();
                copy[i] = from;
                peerAddresses = copy;
                return;
            }
        }
        if (macs.length >= MAX_PEERS || MacAddress.isMulticast(source)) {
            return;   // full, or a group address that no sender may use
        }
        SocketAddress[] a = Arrays.copyOf(addresses, addresses.length + 1);
        a[a.length - 1] = from;
        long[] m = Arrays.copyOf(macs, macs.length + 1);
        m[m.length - 1] = source;
        peerAddresses = a;
        peerMacs = m;
    }

    @Override
    public void send(ByteBuf frame) {
        try {
            if (closed) {
                throw new LinkException(name() + " is closed");
            }
            int length = frame.readableBytes();
            if (length > Ethernet.maxFrameLength(mtu)) {
                throw new LinkException("a frame of " + length + " bytes does not fit the link's MTU " + mtu);
            }
            ByteBuffer data = frame.nioBuffer(frame.readerIndex(), length);
            long destination = Ethernet.destination(frame);
            long[] macs = peerMacs;
            SocketAddress[] addresses = peerAddresses;
            if (!MacAddress.isMulticast(destination)) {
                for (int i = 0; i < macs.length; i++) {
                    if (macs[i] == destination) {
                        channel.send(data, addresses[i]);
                        return;
                    }
                }
            }
            boolean toRemote = remote != null;
            for (SocketAddress a : addresses) {
                channel.send(data.duplicate(), a);
                toRemote &= !a.equals(remote);
            }
            if (toRemote) {
                channel.send(data, remote);
            }
        } catch (IOException e) {
            throw new LinkException("send on " + name() + " failed: " + e.getMessage(), e);
        } finally {
            frame.release();
        }
    }

    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            t = receiver;
        }
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("{}: close: {}", name(), e.getMessage());
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return name() + " " + mac + " mtu " + mtu;
    }
}
