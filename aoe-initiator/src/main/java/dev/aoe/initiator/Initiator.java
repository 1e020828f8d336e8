package dev.aoe.initiator;

import dev.aoe.ata.AtaCommands;
import dev.aoe.ata.IdentifyData;
import dev.aoe.ethernet.MacAddress;
import dev.aoe.frame.AoeCommand;
import dev.aoe.frame.AoeFrame;
import dev.aoe.frame.AoeHeader;
import dev.aoe.frame.Arg;
import dev.aoe.frame.AtaFlyweight;
import dev.aoe.frame.ConfigArg;
import dev.aoe.frame.FrameCodec;
import dev.aoe.frame.HeaderFlyweight;
import dev.aoe.frame.MalformedFrameException;
import dev.aoe.initiator.AoeIoException.DeviceNotFoundException;
import dev.aoe.initiator.TargetInfo.PathInfo;
import dev.aoe.initiator.protocol.Pending;
import dev.aoe.initiator.protocol.TagSpace;
import dev.aoe.link.FrameLink;
import io.netty.buffer.ByteBuf;
import io.netty.util.HashedWheelTimer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The entry point of the initiator library: owns the links, finds targets (broadcast queries and
 * unsolicited announcements), opens devices and sends control requests. Thread-safe; close it to
 * stop the links and fail whatever is still in flight.
 * <pre>
 * try (Initiator initiator = Initiator.builder().link(PcapLink.open("eth0")).build()) {
 *     AoeDevice disk = initiator.open(AoeAddress.parse("e0.1"), Duration.ofSeconds(2));
 *     disk.read(0, ByteBuffer.allocate(4096));
 * }
 * </pre>
 */
public final class Initiator implements AutoCloseable {

    /** Frames in flight per device and path at most, whatever the target's buffer count. */
    public static final int DEFAULT_MAX_OUTSTANDING = 64;
    private static final long REQUERY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    public static final Duration DEFAULT_DEAD_TIME = Duration.ofSeconds(30);

    private final List<FrameLink> links;
    private final TagSpace tags = new TagSpace();
    private final HashedWheelTimer timer;
    private final Duration deadTime;
    private final int maxOutstanding;
    private final Map<AoeAddress, Known> targets = new LinkedHashMap<>();
    private final List<AoeDevice> devices = new CopyOnWriteArrayList<>();
    private final List<Consumer<TargetInfo>> listeners = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.LongAdder ignored = new java.util.concurrent.atomic.LongAdder();
    private volatile boolean closed;

    /** Mutable discovery state of one target; {@link TargetInfo} is its snapshot. */
    private static final class Known {
        final Set<PathInfo> paths = new LinkedHashSet<>();
        ConfigArg config;
        Instant lastSeen;
    }

    private Initiator(Builder b) {
        if (b.links.isEmpty()) {
            throw new IllegalArgumentException("an initiator needs at least one link");
        }
        this.links = List.copyOf(b.links);
        this.deadTime = b.deadTime;
        this.maxOutstanding = b.maxOutstanding;
        this.timer = new HashedWheelTimer(r -> {
            Thread t = new Thread(r, "aoe-initiator-timer");
            t.setDaemon(true);
            return t;
        }, 1, TimeUnit.MILLISECONDS, 1024);
        for (FrameLink link : links) {
            link.start(frame -> onFrame(link, frame));
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options of an {@link Initiator}. */
    public static final class Builder {
        private final List<FrameLink> links = new ArrayList<>();
        private Duration deadTime = DEFAULT_DEAD_TIME;
        private int maxOutstanding = DEFAULT_MAX_OUTSTANDING;

        /** A link to send and receive on; the initiator starts it and closes it. */
        public Builder link(FrameLink link) {
            links.add(link);
            return this;
        }

        /** How long a request may go unanswered before it fails with a DeviceTimeoutException. */
        public Builder deadTime(Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("dead time must be positive: " + value);
            }
            deadTime = value;
            return this;
        }

        /** The most frames in flight per device and path, also capped by the target's buffer count. */
        public Builder maxOutstanding(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("max outstanding must be at least 1: " + value);
            }
            maxOutstanding = value;
            return this;
        }

        public Initiator build() {
            return new Initiator(this);
        }
    }

    public List<FrameLink> links() {
        return links;
    }

    public Duration deadTime() {
        return deadTime;
    }

    /** Called with each target the first time it is seen and whenever its config changes. */
    public void onTarget(Consumer<TargetInfo> listener) {
        listeners.add(listener);
    }

    private void onFrame(FrameLink link, ByteBuf frame) {
        if (!HeaderFlyweight.isAoe(frame) || !HeaderFlyweight.isResponse(frame)) {
            return;
        }
        if (HeaderFlyweight.command(frame) == AoeCommand.QUERY_CONFIG.code() && !HeaderFlyweight.isError(frame)) {
            learn(link, frame);
        }
        int tag = HeaderFlyweight.tag(frame);
        Pending p = tags.lookup(tag);
        if (p != null) {
            p.onResponse(tag, link, frame);
        } else if ((tag & TagSpace.USER_BIT) != 0) {
            ignored.increment();   // late or duplicate: its request was answered or given up on
        }
    }

    /** Responses to our tags that came too late or twice, and were ignored. */
    public long ignoredResponses() {
        return ignored.sum();
    }

    /** Every config response (answers and announcements) updates the table; Linux rejects broadcast addresses too. */
    private void learn(FrameLink link, ByteBuf frame) {
        AoeFrame f;
        try {
            f = FrameCodec.decode(frame);
        } catch (MalformedFrameException e) {
            return;
        }
        AoeHeader h = f.header();
        if (h.major() == HeaderFlyweight.BROADCAST_MAJOR || h.minor() == HeaderFlyweight.BROADCAST_MINOR) {
            return;
        }
        AoeAddress address = new AoeAddress(h.major(), h.minor());
        TargetInfo info;
        boolean newPath;
        synchronized (targets) {
            Known k = targets.computeIfAbsent(address, a -> new Known());
            newPath = k.paths.add(new PathInfo(link.name(), f.source()));
            boolean changed = newPath || !f.arg().equals(k.config);
            k.config = (ConfigArg) f.arg();
            k.lastSeen = Instant.now();
            targets.notifyAll();
            info = changed ? snapshot(address, k) : null;
        }
        if (newPath) {
            for (AoeDevice device : devices) {
                if (device.address().equals(address)) {
                    device.addPath(new DevicePath(link, f.source(), device.pathCap()));
                }
            }
        }
        if (info != null) {
            listeners.forEach(l -> l.accept(info));
        }
    }

    private static TargetInfo snapshot(AoeAddress address, Known k) {
        return new TargetInfo(address, List.copyOf(k.paths), k.config.bufferCount(), k.config.firmwareVersion(),
                k.config.effectiveSectorCount(), k.config.config(), k.lastSeen);
    }

    /** The targets seen so far, by address. */
    public List<TargetInfo> targets() {
        synchronized (targets) {
            List<TargetInfo> list = new ArrayList<>();
            targets.forEach((a, k) -> list.add(snapshot(a, k)));
            list.sort((x, y) -> x.address().compareTo(y.address()));
            return list;
        }
    }

    /**
     * Broadcasts a config query on every link and collects answers for {@code wait}, or until
     * {@code expected} targets are known; returns every target known then.
     */
    public List<TargetInfo> discover(Duration wait, int expected) throws InterruptedIOException {
        query(HeaderFlyweight.BROADCAST_MAJOR, HeaderFlyweight.BROADCAST_MINOR);
        awaitTargets(wait, () -> targets.size() >= expected);
        return targets();
    }

    /** Asks for one target and returns as soon as it answers (or an announcement names it), else empty. */
    public Optional<TargetInfo> find(AoeAddress address, Duration wait) throws InterruptedIOException {
        Optional<TargetInfo> known = known(address);
        if (known.isPresent()) {
            return known;
        }
        // the query is repeated (a lost broadcast, a target still starting) until the wait is over
        long deadline = System.nanoTime() + wait.toNanos();
        for (long left = wait.toNanos(); left > 0 && known(address).isEmpty(); left = deadline - System.nanoTime()) {
            query(address.shelf(), address.slot());
            awaitTargets(Duration.ofNanos(Math.min(left, REQUERY_NANOS)), () -> targets.containsKey(address));
        }
        return known(address);
    }

    private Optional<TargetInfo> known(AoeAddress address) {
        synchronized (targets) {
            Known k = targets.get(address);
            return k == null ? Optional.empty() : Optional.of(snapshot(address, k));
        }
    }

    /** Config read to the broadcast MAC on every link; answers reach {@link #learn} whatever their tag. */
    private void query(int major, int minor) {
        Pending ignore = (tag, link, frame) -> { };
        for (FrameLink link : links) {
            int tag = tags.register(ignore);
            link.send(FrameCodec.encode(new AoeFrame(MacAddress.BROADCAST, link.mac(),
                    AoeHeader.request(major, minor, AoeCommand.QUERY_CONFIG, tag), ConfigArg.read()), link.alloc()));
            timer.newTimeout(t -> tags.remove(tag, ignore), 30, TimeUnit.SECONDS);
        }
    }

    private void awaitTargets(Duration wait, java.util.function.BooleanSupplier done) throws InterruptedIOException {
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (targets) {
            while (!done.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(targets, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for targets");
                }
            }
        }
    }

    /**
     * Finds the target, identifies it and returns a device handle over every path it answered on.
     *
     * @throws DeviceNotFoundException when nothing answers for the address within {@code wait}
     */
    public AoeDevice open(AoeAddress address, Duration wait) throws IOException {
        TargetInfo target = find(address, wait).orElseThrow(() -> new DeviceNotFoundException(
                "no AoE target answered for " + address + " within " + wait.toMillis() + " ms on "
                        + links.stream().map(FrameLink::name).toList()));
        List<DevicePath> paths = new ArrayList<>();
        int perPath = Math.max(1, Math.min(target.bufferCount(), maxOutstanding) / target.paths().size());
        int maxSectors = Math.min(255, target.sectorsPerFrame());
        for (PathInfo p : target.paths()) {
            FrameLink link = link(p.localInterface());
            paths.add(new DevicePath(link, p.targetMac(), perPath));
            maxSectors = Math.min(maxSectors, AtaFlyweight.sectorsPerFrame(link.mtu()));
        }
        FrameEngine engine = new FrameEngine(address, paths, tags, timer, deadTime);
        ByteBuffer data = ByteBuffer.allocate(IdentifyData.LENGTH);
        AtaCommand identify = new AtaCommand(AtaCommands.IDENTIFY_DEVICE, false, 0, 1, null, data);
        engine.submit(identify);
        AoeDevice.await(identify.done);
        AoeDevice device = new AoeDevice(this, target, engine, IdentifyData.parse(data.array()), Math.max(1, maxSectors));
        devices.add(device);
        return device;
    }

    /** Sends a config request (a read, test, prefix, set or force set) to a target; empty when it stays silent. */
    public Optional<AoeFrame> config(AoeAddress address, ConfigArg.Ccmd ccmd, dev.aoe.frame.Octets text, Duration wait)
            throws IOException {
        return control(address, AoeCommand.QUERY_CONFIG, ConfigArg.request(ccmd, text), wait);
    }

    /** Sends a MAC Mask List or Reserve/Release request (or any command) to a target, and waits for its answer. */
    public Optional<AoeFrame> control(AoeAddress address, AoeCommand command, Arg arg, Duration wait) throws IOException {
        TargetInfo target = find(address, wait).orElseThrow(() -> new DeviceNotFoundException(
                "no AoE target answered for " + address));
        PathInfo path = target.paths().get(0);
        FrameLink link = link(path.localInterface());
        return AoeDevice.await(ControlRequest.send(tags, timer, link, tag -> new AoeFrame(path.targetMac(), link.mac(),
                AoeHeader.request(address.shelf(), address.slot(), command, tag), arg), wait));
    }

    /** The link a path names; paths are only ever learned on our own links. */
    private FrameLink link(String name) {
        return links.stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow();
    }

    void closed(AoeDevice device) {
        devices.remove(device);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        devices.forEach(AoeDevice::close);
        links.forEach(FrameLink::close);
        timer.stop();
    }
}
