package dev.aoe.link.afpacket;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import dev.aoe.ethernet.Ethernet;
import dev.aoe.ethernet.MacAddress;
import dev.aoe.link.FrameBatch;
import dev.aoe.link.FrameHandler;
import dev.aoe.link.FrameLink;
import dev.aoe.link.InterfaceInfo;
import dev.aoe.link.LinkException;
import dev.aoe.link.LinkUnsupportedException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link FrameLink} on a Linux AF_PACKET socket bound to EtherType 0x88A2: frames arrive in a
 * memory-mapped receive ring ({@link RingVersion}) and are read in place; frames sent from the
 * receive thread (replies, from inside the handler) are batched and leave in one {@code sendmmsg}
 * per ring drain, frames sent from other threads leave at once.
 */
public final class AfPacketLink implements FrameLink, RxRing.FrameSink {

    private static final Logger log = LoggerFactory.getLogger(AfPacketLink.class);
    /** A safety net only: close() wakes the receive thread through its eventfd. */
    private static final int POLL_TIMEOUT_MILLIS = 1000;
    private static final long CLOSE_WAIT_MILLIS = 2000;
    /** Spins shorter than this are not worth it: the budget drops to none. */
    private static final long MIN_SPIN_NANOS = 2_000;
    private static final int BATCH = 64;
    private static final int SOCKADDR_LL = 20;

    private final InterfaceInfo info;
    private final RingVersion version;
    private final int fd;
    /** An eventfd the receive thread polls beside the socket, written to wake it when the link closes. */
    private final int wakeFd;
    private final RxRing ring;
    private final ByteBuf view;
    private final SendBatch replies;
    /** Frames sent from threads other than the receive thread, under {@link #sendLock}. */
    private final SendBatch others;
    private final ReentrantLock sendLock = new ReentrantLock();
    private final long busyPollNanos;
    private FrameHandler handler;
    /** The receive thread has lent the next reply slot out through {@link #newFrame}. */
    private boolean slotLent;
    private volatile Thread receiver;
    /** Receive-thread figures for {@link #stats()}: poll calls, ring drains that delivered, frames delivered. */
    private long polls;
    private long spins;
    private long sendFailures;
    private long drains;
    private long received;
    private volatile boolean closed;
    /** The sockets are closed; under {@link #sendLock}. */
    private boolean freed;

    private AfPacketLink(InterfaceInfo info, RingVersion version, int fd, int wakeFd, RxRing ring,
                         long busyPollNanos) {
        this.info = info;
        this.busyPollNanos = busyPollNanos;
        this.version = version;
        this.fd = fd;
        this.wakeFd = wakeFd;
        this.ring = ring;
        this.view = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(ring.memory().duplicate().order(ByteOrder.BIG_ENDIAN)));
        this.replies = new SendBatch(BATCH, info.mtu() + 14);
        this.others = new SendBatch(BATCH, info.mtu() + 14);
    }

    /** Opens {@code interfaceName} with a TPACKET_V2 ring, the right one for request and response. */
    public static AfPacketLink open(String interfaceName) {
        return open(interfaceName, RingVersion.V2, 0);
    }

    /**
     * Opens {@code interfaceName}. With {@code busyPollMicros} above 0, the receive thread watches the
     * ring for up to that long before it sleeps in {@code poll}, but only while frames keep coming that
     * soon: the watch grows to twice the gaps it sees and shrinks to nothing after misses, so a request
     * that follows within it is answered without a wake-up (lower latency at small windows) and an idle
     * or slow link costs no CPU.
     *
     * @throws LinkException for a missing interface or privilege (root or CAP_NET_RAW), one line each
     */
    public static AfPacketLink open(String interfaceName, RingVersion version, int busyPollMicros) {
        return open(interfaceName, version, busyPollMicros, 0, 0);
    }

    /**
     * Opens {@code count} links on one interface that share its frames by source MAC
     * ({@code PACKET_FANOUT} with a classic BPF program: the last four bytes of the source MAC modulo
     * {@code count}), each with its own ring and receive thread: one initiator's frames always reach the
     * same link, in order, and several initiators spread over the links. One link when {@code count} is 1.
     */
    public static List<AfPacketLink> openGroup(String interfaceName, RingVersion version, int busyPollMicros, int count) {
        if (count < 1 || count > 64) {
            throw new IllegalArgumentException("thread count " + count + " is outside 1..64");
        }
        if (count == 1) {
            return List.of(open(interfaceName, version, busyPollMicros));
        }
        int group = (int) ((ProcessHandle.current().pid() * 31 + ifindex(interfaceName)) & 0xFFFF);
        List<AfPacketLink> links = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                links.add(open(interfaceName, version, busyPollMicros, group, count));
            }
            FanoutProgram.attach(links.get(0).fd, count);
        } catch (RuntimeException e) {
            links.forEach(AfPacketLink::close);
            throw e;
        }
        return links;
    }

    private static AfPacketLink open(String interfaceName, RingVersion version, int busyPollMicros, int fanoutGroup,
                                     int fanoutCount) {
        InterfaceInfo info = InterfaceInfo.of(interfaceName);
        int ifindex = ifindex(interfaceName);
        int fd;
        try {
            fd = LibC.socket(LibC.AF_PACKET, LibC.SOCK_RAW, Short.toUnsignedInt(Short.reverseBytes(
                    (short) Ethernet.ETHERTYPE_AOE)));
        } catch (LastErrorException e) {
            if (e.getErrorCode() == LibC.EPERM) {
                throw new LinkException("no permission to open a raw socket on " + interfaceName
                        + ": run as root or grant CAP_NET_RAW", e);
            }
            if (e.getErrorCode() == LibC.EAFNOSUPPORT) {
                throw new LinkUnsupportedException("this kernel has no AF_PACKET sockets", e);
            }
            throw new LinkException("cannot open an AF_PACKET socket: " + LibC.describe(e), e);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new LinkUnsupportedException("AF_PACKET links need Linux and JNA: " + e.getMessage(), e);
        }
        RxRing ring = null;
        int wakeFd = -1;
        try {
            wakeFd = LibC.eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
            ring = RxRing.open(fd, version, info.mtu());
            bypassQdisc(fd);
            bind(fd, ifindex, interfaceName);
            if (fanoutCount > 1) {
                FanoutProgram.join(fd, fanoutGroup, interfaceName);
            }
            return new AfPacketLink(info, version, fd, wakeFd, ring, busyPollMicros * 1000L);
        } catch (RuntimeException e) {
            if (ring != null) {
                ring.close();
            }
            if (wakeFd >= 0) {
                LibC.close(wakeFd);
            }
            LibC.close(fd);
            throw e;
        }
    }

    private static int ifindex(String name) {
        try {
            return Integer.parseInt(Files.readString(Path.of("/sys/class/net", name, "ifindex")).trim());
        } catch (IOException | NumberFormatException e) {
            throw new LinkException("cannot read the index of " + name + ": " + e.getMessage(), e);
        }
    }

    /** Frames skip the traffic-control layer: the interface's queue is the only one. Best effort. */
    private static void bypassQdisc(int fd) {
        try (Memory one = new Memory(4)) {
            one.setInt(0, 1);
            LibC.setsockopt(fd, LibC.SOL_PACKET, LibC.PACKET_QDISC_BYPASS, one, 4);
        } catch (LastErrorException e) {
            log.debug("PACKET_QDISC_BYPASS unavailable: {}", LibC.describe(e));
        }
    }

    /** {@code struct sockaddr_ll}: family, protocol (network order), ifindex; the rest zero. */
    private static void bind(int fd, int ifindex, String name) {
        try (Memory address = new Memory(SOCKADDR_LL)) {
            address.clear();
            address.setShort(0, (short) LibC.AF_PACKET);
            address.setShort(2, Short.reverseBytes((short) Ethernet.ETHERTYPE_AOE));
            address.setInt(4, ifindex);
            LibC.bind(fd, address, SOCKADDR_LL);
        } catch (LastErrorException e) {
            int errno = e.getErrorCode();
            String why = errno == LibC.ENODEV || errno == LibC.ENXIO ? "network interface '" + name + "' not found"
                    : errno == LibC.ENETDOWN ? name + " is down" : "cannot bind to " + name + ": " + LibC.describe(e);
            throw new LinkException(why, e);
        }
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

    public RingVersion ringVersion() {
        return version;
    }

    @Override
    public synchronized void start(FrameHandler frameHandler) {
        if (receiver != null) {
            throw new IllegalStateException(name() + " already started");
        }
        if (closed) {
            throw new LinkException(name() + " is closed");
        }
        this.handler = frameHandler;
        // a FastThreadLocalThread lets Netty recycle the response buffers' objects on this thread
        Thread t = new FastThreadLocalThread(this::receiveLoop, "afpacket-" + name());
        t.setDaemon(true);
        receiver = t;
        t.start();
    }

    private void receiveLoop() {
        try (Memory pollfd = new Memory(16)) {   // struct pollfd[2]: int fd, short events, short revents
            pollfd.setInt(0, fd);
            pollfd.setShort(4, (short) LibC.POLLIN);
            pollfd.setInt(8, wakeFd);
            pollfd.setShort(12, (short) LibC.POLLIN);
            long spin = 0;   // how long to watch the ring before sleeping, adapted to how frames arrive
            while (!closed) {
                try {
                    spin = serve(pollfd, spin);
                } catch (InternalError e) {
                    // a fault in a mapped file (an export's image cut short) that the JVM reports late, at the
                    // next native call after the handler returned: a frame still in the ring is delivered
                    // again and its handler sees the fault then; replies already made are lost, as on a wire
                    log.debug("{}: a fault reported after the handler returned: {}", name(), e.getMessage());
                }
            }
        } catch (LinkException e) {
            if (!closed) {
                log.error("{}: receive failed, link stops receiving: {}", name(), e.getMessage());
            }
        } finally {
            closed = true;
            free();
        }
    }

    /** Delivers what the ring holds and sends the replies, else watches or sleeps; returns the next spin budget. */
    private long serve(Memory pollfd, long spin) {
        int delivered = ring.drain(this, BATCH);
        if (delivered > 0) {
            drains++;
            received += delivered;
        }
        if (replies.count() > 0) {
            flushReplies();
        }
        if (delivered > 0) {
            return spin;
        }
        if (spin > 0) {
            long waited = spinUntilReady(spin);
            if (waited >= 0) {
                spins++;
                return Math.min(busyPollNanos, Math.max(spin, 2 * waited));
            }
            spin /= 2;   // nothing came: watch less next time, and not at all after a few misses
            spin = spin < MIN_SPIN_NANOS ? 0 : spin;
        }
        long slept = poll(pollfd);
        // a frame that came sooner than the busy-poll time after a sleep: watching would have caught it
        return busyPollNanos > 0 && slept < busyPollNanos
                ? Math.min(busyPollNanos, Math.max(MIN_SPIN_NANOS, 2 * slept)) : spin;
    }

    /**
     * Sends the replies made during a ring drain. A send that fails (the interface went down, or its
     * queue is full) loses those frames, as a wire would; the link goes on receiving.
     */
    private void flushReplies() {
        try {
            replies.flush(fd, name());
        } catch (LinkException e) {
            sendFailures++;
            log.debug("{}: {}", name(), e.getMessage());
        }
    }

    /** Watches the ring for at most {@code budget} ns; how long until a frame came, or -1 when none did. */
    private long spinUntilReady(long budget) {
        long start = System.nanoTime();
        while (!ring.ready()) {
            long waited = System.nanoTime() - start;
            if (waited > budget || closed) {
                return -1;
            }
            Thread.onSpinWait();
        }
        return System.nanoTime() - start;
    }

    /** Sleeps in poll until a frame arrives or the timeout passes; returns the nanoseconds it slept. */
    private long poll(Memory pollfd) {
        polls++;
        long start = System.nanoTime();
        try {
            LibC.poll(pollfd, 2, POLL_TIMEOUT_MILLIS);
        } catch (LastErrorException e) {
            if (e.getErrorCode() != LibC.EINTR) {
                throw new LinkException("poll on " + name() + " failed: " + LibC.describe(e), e);
            }
        }
        return System.nanoTime() - start;
    }

    @Override
    public void frame(int offset, int length) {
        try {
            handler.onFrame(view.setIndex(offset, offset + length));
        } catch (RuntimeException | InternalError e) {   // InternalError: a fault in a mapped file, reported late
            log.warn("{}: frame handler failed", name(), e);
        } finally {
            slotLent = false;   // a slot lent but not sent is simply reused
        }
    }

    /** On the receive thread, the next slot of the reply batch itself: the reply is built where it is sent from. */
    @Override
    public ByteBuf newFrame(int capacity) {
        if (!slotLent && capacity <= replies.slotSize() && Thread.currentThread() == receiver) {
            slotLent = true;
            return replies.nextSlot();
        }
        return alloc().buffer(capacity);
    }

    @Override
    public void send(ByteBuf frame) {
        try {
            if (Thread.currentThread() == receiver) {
                boolean full;
                if (slotLent && replies.isNextSlot(frame)) {
                    slotLent = false;
                    full = replies.commit(frame);
                } else {
                    full = replies.add(frame);
                }
                if (full) {
                    replies.flush(fd, name());
                }
                return;
            }
            lockForSending();
            try {
                others.add(frame);
                others.flush(fd, name());
            } finally {
                sendLock.unlock();
            }
        } finally {
            frame.release();
        }
    }

    private void lockForSending() {
        sendLock.lock();
        if (closed) {
            sendLock.unlock();
            throw new LinkException(name() + " is closed");
        }
    }

    /**
     * On the receive thread, frames go into the reply batch (sent when the ring drain ends); on other
     * threads, straight into the slots of the send batch under the send lock, one {@code sendmmsg} at
     * {@link FrameBatch#close}.
     */
    @Override
    public FrameBatch batch() {
        return new FrameBatch() {
            private boolean onReceiver;

            @Override
            public void open() {
                onReceiver = Thread.currentThread() == receiver;
                if (!onReceiver) {
                    lockForSending();
                }
            }

            @Override
            public ByteBuf frame(int capacity) {
                if (onReceiver) {
                    return newFrame(capacity);
                }
                return capacity <= others.slotSize() ? others.nextSlot() : alloc().buffer(capacity);
            }

            @Override
            public void commit(ByteBuf frame) {
                if (onReceiver) {
                    send(frame);
                    return;
                }
                try {
                    if (others.isNextSlot(frame) ? others.commit(frame) : others.add(frame)) {
                        others.flush(fd, name());
                    }
                } finally {
                    frame.release();
                }
            }

            @Override
            public void close() {
                if (onReceiver) {
                    return;
                }
                try {
                    if (others.count() > 0) {
                        others.flush(fd, name());
                    }
                } finally {
                    sendLock.unlock();
                }
            }
        };
    }

    @Override
    public void sendAll(List<ByteBuf> frames) {
        if (Thread.currentThread() == receiver) {
            frames.forEach(this::send);
            return;
        }
        int next = 0;
        try {
            lockForSending();
            try {
                while (next < frames.size()) {
                    ByteBuf frame = frames.get(next++);
                    try {
                        if (others.add(frame)) {
                            others.flush(fd, name());
                        }
                    } finally {
                        frame.release();
                    }
                }
                if (others.count() > 0) {
                    others.flush(fd, name());
                }
            } finally {
                sendLock.unlock();
            }
        } finally {
            for (int j = next; j < frames.size(); j++) {
                frames.get(j).release();
            }
        }
    }

    /**
     * How the link has worked so far, for benchmarks and statistics: frames received, ring drains
     * that delivered frames, {@code poll} calls, and frames sent with the {@code sendmmsg} calls that sent
     * them (replies from the receive thread and frames from other threads). Read without locks, so
     * approximate while the link runs.
     */
    public String stats() {
        return String.format("received=%d drains=%d polls=%d spins=%d replies=%d/%d calls others=%d/%d calls"
                + " failed-sends=%d", received, drains, polls, spins, replies.frames(), replies.calls(), others.frames(),
                others.calls(), sendFailures);
    }

    /** Frames the ring could not hold whole (longer than the MTU it was sized for), dropped. */
    public long truncatedFrames() {
        return ring.truncated();
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
        if (t == null) {
            free();
        } else if (t != Thread.currentThread()) {
            wake();
            try {
                t.join(CLOSE_WAIT_MILLIS);   // the receive thread frees the ring as it leaves
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Ends the receive thread's poll at once (eventfd counter + 1). */
    private void wake() {
        sendLock.lock();
        try (Memory one = new Memory(8)) {
            if (!freed) {
                one.setLong(0, 1);
                LibC.write(wakeFd, one, 8);
            }
        } catch (LastErrorException e) {
            log.debug("{}: waking the receive thread failed: {}", name(), LibC.describe(e));
        } finally {
            sendLock.unlock();
        }
    }

    /** Called once {@code closed} is set, by the receive thread as it leaves or by close() if it never started. */
    private void free() {
        sendLock.lock();
        try {
            freed = true;
            ring.close();
            LibC.close(fd);
            LibC.close(wakeFd);
            replies.close();
            others.close();
        } finally {
            sendLock.unlock();
        }
    }

    @Override
    public String toString() {
        return "afpacket:" + name() + " " + mac() + " mtu " + mtu() + " ring " + version;
    }
}
