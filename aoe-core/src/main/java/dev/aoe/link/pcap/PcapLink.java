package dev.aoe.link.pcap;

import dev.aoe.ethernet.MacAddress;
import dev.aoe.link.FrameHandler;
import dev.aoe.link.FrameLink;
import dev.aoe.link.InterfaceInfo;
import dev.aoe.link.LinkException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.FastThreadLocalThread;
import org.pcap4j.core.BpfProgram.BpfCompileMode;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface.PromiscuousMode;
import org.pcap4j.core.RawPacketListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link FrameLink} on a live interface through libpcap (pcap4j): BPF filter {@value #FILTER},
 * inbound direction only, immediate mode, and a receive loop on its own thread.
 */
public final class PcapLink implements FrameLink {

    public static final String FILTER = "ether proto 0x88a2";
    private static final Logger log = LoggerFactory.getLogger(PcapLink.class);
    private static final int POLL_TIMEOUT_MILLIS = 100;
    private static final ThreadLocal<byte[]> SEND_SCRATCH = ThreadLocal.withInitial(() -> new byte[65536]);

    private final InterfaceInfo info;
    private final PcapHandle handle;
    private Thread receiver;
    private volatile boolean closed;

    private PcapLink(InterfaceInfo info, PcapHandle handle) {
        this.info = info;
        this.handle = handle;
    }

    /**
     * Opens a live capture on {@code interfaceName}.
     *
     * @throws LinkException for a missing interface, a missing privilege (raw sockets need root or
     *                       CAP_NET_RAW) or a missing libpcap, each with a one-line explanation
     */
    public static PcapLink open(String interfaceName) {
        InterfaceInfo info = InterfaceInfo.of(interfaceName);
        PcapHandle handle;
        try {
            handle = new PcapHandle.Builder(interfaceName)
                    .snaplen(Math.max(info.mtu() + 64, 1600))
                    .promiscuousMode(PromiscuousMode.NONPROMISCUOUS)
                    .timeoutMillis(POLL_TIMEOUT_MILLIS)
                    .immediateMode(true)
                    .bufferSize(8 << 20)
                    .build();
        } catch (PcapNativeException e) {
            throw explain(interfaceName, e);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new LinkException("libpcap is not installed (apt-get install libpcap0.8): " + e.getMessage(), e);
        }
        try {
            handle.setFilter(FILTER, BpfCompileMode.OPTIMIZE);
            handle.setDirection(PcapHandle.PcapDirection.IN);
        } catch (PcapNativeException | NotOpenException e) {
            handle.close();
            throw new LinkException("cannot set the AoE filter on " + interfaceName + ": " + e.getMessage(), e);
        }
        return new PcapLink(info, handle);
    }

    private static LinkException explain(String name, PcapNativeException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("Operation not permitted") || message.contains("ermission")) {
            return new LinkException("no permission to open a raw socket on " + name
                    + ": run as root or grant CAP_NET_RAW", e);
        }
        if (message.contains("No such device")) {
            return new LinkException("network interface '" + name + "' not found", e);
        }
        return new LinkException("cannot open " + name + " with libpcap: " + message, e);
    }

    @Override
    public String name() {
        return info.name();
    }

    @Override
    public MacAddress mac() {
        return info.mac();
    }

    @Override
    public int mtu() {
        return info.mtu();
    }

    @Override
    public synchronized void start(FrameHandler handler) {
        if (receiver != null) {
            throw new IllegalStateException(name() + " already started");
        }
        RawPacketListener listener = packet -> {
            ByteBuf frame = Unpooled.wrappedBuffer(packet);
            try {
                handler.onFrame(frame);
            } catch (RuntimeException e) {
                log.warn("{}: frame handler failed", name(), e);
            } finally {
                frame.release();
            }
        };
        receiver = new FastThreadLocalThread(() -> receiveLoop(listener), "pcap-" + name());
        receiver.setDaemon(true);
        receiver.start();
    }

    private void receiveLoop(RawPacketListener listener) {
        while (!closed) {
            try {
                handle.loop(-1, listener);
            } catch (InterruptedException e) {
                return;   // breakLoop(): close() asked us to stop
            } catch (PcapNativeException | NotOpenException e) {
                if (!closed) {
                    log.error("{}: receive failed, link stops receiving: {}", name(), e.getMessage());
                }
                return;
            }
        }
    }

    @Override
    public void send(ByteBuf frame) {
        try {
            int length = frame.readableBytes();
            byte[] bytes = SEND_SCRATCH.get();
            frame.getBytes(frame.readerIndex(), bytes, 0, length);
            handle.sendPacket(bytes, length);
        } catch (PcapNativeException | NotOpenException e) {
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
        if (t != null) {
            try {
                handle.breakLoop();
            } catch (NotOpenException ignored) {
                // already closed
            }
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        handle.close();
    }

    @Override
    public String toString() {
        return "pcap:" + name() + " " + mac() + " mtu " + mtu();
    }
}
