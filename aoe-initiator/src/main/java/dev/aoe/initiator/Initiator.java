package dev.aoe.initiator;

import dev.aoe.ata.AtaCommands;
import dev.aoe.ata.IdentifyData;
import dev.aoe.ethernet.Ethernet;
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
import dev.aoe.frame.Octets;
import dev.aoe.initiator.AoeIoException.ConflictingTargetsException;
import dev.aoe.initiator.AoeIoException.DeviceNotFoundException;
import dev.aoe.initiator.TargetInfo.PathInfo;
import dev.aoe.initiator.protocol.Pending;
import dev.aoe.initiator.protocol.TagSpace;
import dev.aoe.link.FrameLink;
import dev.aoe.link.LinkException;
import io.netty.buffer.ByteBuf;
import io.netty.util.HashedWheelTimer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The entry point of the initiator library: owns the links, finds targets (broadcast queries and
 * unsolicited announcements), opens devices and sends control requests. Thread-safe; close it to
 * stop the links and fail whatever is still in flight.
 * <pre>
 * try (Initiator initiator = Initiator.builder().link(AfPacketLink.open("eth0")).build()) {
 *     AoeDevice disk = initiator.open(AoeAddress.parse("e0.1"), Duration.ofSeconds(2));
 *     disk.read(0, ByteBuffer.allocate(4096));
 * }
 * </pre>
 * A device whose target does not answer any ATA frame for the dead time fails its requests with a
 * {@link AoeIoException.DeviceTimeoutException}; while the target is silent the initiator probes
 * for it (config queries every 250 ms), so I/O resumes as soon as the target is back, through
 * the MAC it answers from (a restarted target may have a new one). Two targets with different
 * identities answering for one address make the device fail with a
 * {@link ConflictingTargetsException}; a second MAC with the same identity is a second path.
 */
public final class Initiator implements AutoCloseable {

    /** Frames in flight per device and path at most, whatever the target's buffer count. */
    public static final int DEFAULT_MAX_OUTSTANDING = 64;
    public static final Duration DEFAULT_DEAD_TIME = Duration.ofSeconds(30);
    private static final Duration DISCOVERY_SETTLE = Duration.ofMillis(100);
    private static final long REQUERY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    /** The tag of discovery queries and probes: answers are learnt whatever their tag. */
    private static final int DISCOVERY_TAG = TagSpace.USER_BIT;

    private final List<FrameLink> links;
    private final TagSpace tags = new TagSpace();
    private final HashedWheelTimer timer;
    private final Clock clock;
    private final Duration deadTime;
    private final int maxOutstanding;
    private final Map<AoeAddress, Known> targets = new LinkedHashMap<>();
    /** Open devices by engine; the array is what the receive threads scan, without allocating. */
    private final List<AoeDevice> devices = new CopyOnWriteArrayList<>();
    private volatile FrameEngine[] engines = new FrameEngine[0];
    private final List<Consumer<TargetInfo>> listeners = new CopyOnWriteArrayList<>();
    private final LongAdder ignored = new LongAdder();
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
        }, 10, TimeUnit.MILLISECONDS, 256);
        this.clock = new Clock(this::probe);
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

        /**
         * How long a device's target may leave every ATA frame unanswered, while there is work, before
         * its requests fail with a DeviceTimeoutException (default 30 s).
         */
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
        int command = HeaderFlyweight.command(frame);
        int tag = HeaderFlyweight.tag(frame);
        if (command == AoeCommand.ATA.code() && TagSpace.isAta(tag)) {
            FrameEngine engine = engine(HeaderFlyweight.major(frame), HeaderFlyweight.minor(frame));
            if (engine != null) {
                engine.onResponse(link, frame);
            } else {
                ignored.increment();   // its device was closed
            }
            return;
        }
        if (command == AoeCommand.QUERY_CONFIG.code() && !HeaderFlyweight.isError(frame)) {
            learn(link, frame);
        }
        Pending p = tags.lookup(tag);
        if (p != null) {
            p.onResponse(tag, link, frame);
        } else if ((tag & TagSpace.USER_BIT) != 0 && tag != DISCOVERY_TAG) {
            ignored.increment();   // late or duplicate: its request was answered or given up on
        }
    }

    private FrameEngine engine(int shelf, int slot) {
        for (FrameEngine e : engines) {
            if (e.address().shelf() == shelf && e.address().slot() == slot) {
                return e;
            }
        }
        return null;
    }

    /** Responses to our tags that came too late or twice, and were ignored. */
    public long ignoredResponses() {
        long n = ignored.sum();
        for (FrameEngine e : engines) {
            n += e.ignored();
        }
        return n;
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
        if (h.isBroadcast()) {
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
        FrameEngine engine = engine(address.shelf(), address.slot());
        if (engine != null) {
            engine.heard(link, f.source().value(), System.nanoTime());
            if (engine.path(link, f.source().value()) == null) {
                for (AoeDevice device : devices) {
                    if (device.engine() == engine) {
                        probation(device, link, f.source());
                        break;
                    }
                }
            }
        }
        if (info != null) {
            listeners.forEach(l -> l.accept(info));
        }
    }

    /**
     * A MAC not seen when the device was opened answers for it: it carries I/O once an IDENTIFY
     * through it shows the same disk; a different disk makes the device fail (two targets, one address).
     */
    private void probation(AoeDevice device, FrameLink link, MacAddress mac) {
        FrameEngine engine = device.engine();
        DevicePath path = new DevicePath(link, mac, pathCap(device.target()), false);
        engine.addPath(path);
        ByteBuffer data = ByteBuffer.allocate(IdentifyData.LENGTH);
        Request identify = identify(path, data, System.nanoTime() + deadTime.toNanos());
        engine.submit(identify);
        identify.done.whenComplete((ok, failure) -> {
            if (failure != null) {
                return;   // it stays on probation, unused
            }
            IdentifyData other = IdentifyData.parse(data.array());
            if (sameDisk(device.identify(), other)) {
                engine.confirm(path);
            } else {
                engine.fail(conflict(device.address(), device.target().paths().get(0).targetMac(), device.identify(),
                        mac, other));
            }
        });
    }

    /** IDENTIFY through one path, given up (a DeviceTimeoutException) at {@code giveUpNanos}. */
    private static Request identify(DevicePath path, ByteBuffer into, long giveUpNanos) {
        Request r = new Request(AtaCommands.IDENTIFY_DEVICE, false, false, 0, 0, into, path);
        r.giveUpNanos = giveUpNanos;
        return r;
    }

    private static boolean sameDisk(IdentifyData a, IdentifyData b) {
        return a.capacitySectors() == b.capacitySectors() && a.serial().equals(b.serial()) && a.model().equals(b.model());
    }

    private static ConflictingTargetsException conflict(AoeAddress address, MacAddress macA, IdentifyData a,
                                                        MacAddress macB, IdentifyData b) {
        return new ConflictingTargetsException(address + ": two different targets answer for this address: " + macA
                + " (" + describe(a) + ") and " + macB + " (" + describe(b) + "); refusing the device"
                + " (stop one of them, or give them different shelf.slot addresses)");
    }

    private static String describe(IdentifyData id) {
        return id.capacitySectors() + " sectors, serial '" + id.serial() + "', model '" + id.model() + "'";
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

    private TargetInfo settle(AoeAddress address, TargetInfo found) throws InterruptedIOException {
        awaitTargets(DISCOVERY_SETTLE, () -> false);
        return known(address).orElse(found);
    }

    private Optional<TargetInfo> known(AoeAddress address) {
        synchronized (targets) {
            Known k = targets.get(address);
            return k == null ? Optional.empty() : Optional.of(snapshot(address, k));
        }
    }

    /** Config read to the broadcast MAC on every link; answers reach {@link #learn} whatever their tag. */
    private void query(int major, int minor) {
        for (FrameLink link : links) {
            try {
                link.send(FrameCodec.encode(new AoeFrame(MacAddress.BROADCAST, link.mac(),
                        AoeHeader.request(major, minor, AoeCommand.QUERY_CONFIG, DISCOVERY_TAG), ConfigArg.read()),
                        link.alloc()));
            } catch (LinkException e) {
                // an interface that went away: the other links still ask
            }
        }
    }

    /** The clock found a device's target silent: ask for it again, which also finds a new MAC. */
    private void probe(FrameEngine engine) {
        query(engine.address().shelf(), engine.address().slot());
    }

    private void awaitTargets(Duration wait, BooleanSupplier done) throws InterruptedIOException {
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

    private int pathCap(TargetInfo target) {
        return Math.max(1, Math.min(target.bufferCount(), maxOutstanding) / Math.max(1, target.paths().size()));
    }

    /**
     * Finds the target, identifies it through every path it answered on and returns a device handle.
     *
     * @throws DeviceNotFoundException      when nothing answers for the address within {@code wait}
     * @throws ConflictingTargetsException when two different disks answer for the address
     */
    public AoeDevice open(AoeAddress address, Duration wait) throws IOException {
        if (closed) {
            throw new AoeIoException("the initiator is closed");
        }
        boolean discovering = known(address).isEmpty();
        TargetInfo found = find(address, wait).orElseThrow(() -> new DeviceNotFoundException(
                "no AoE target answered for " + address + " within " + wait.toMillis() + " ms on "
                        + links.stream().map(FrameLink::name).toList()));
        // every target answers the same broadcast: give the others a moment, so two disks on one address are
        // refused before any I/O rather than found by a probe in the middle of it
        TargetInfo target = discovering ? settle(address, found) : found;
        int cap = pathCap(target);
        int maxSectors = Math.min(AtaFlyweight.MAX_SECTORS, target.sectorsPerFrame());
        FrameEngine engine = new FrameEngine(address, clock, deadTime, maxSectors);
        List<DevicePath> paths = new ArrayList<>();
        for (PathInfo p : target.paths()) {
            DevicePath path = new DevicePath(link(p.localInterface()), p.targetMac(), cap, false);
            paths.add(path);
            engine.addPath(path);
        }
        register(engine);
        try {
            // every path is on probation until an IDENTIFY through it answers; all must show the same disk
            long giveUp = System.nanoTime() + Math.max(wait.toNanos(), deadTime.toNanos());
            List<Request> answers = new ArrayList<>();
            for (DevicePath path : paths) {
                Request r = identify(path, ByteBuffer.allocate(IdentifyData.LENGTH), giveUp);
                engine.submit(r);
                answers.add(r);
            }
            IdentifyData identity = null;
            MacAddress first = null;
            for (int i = 0; i < paths.size(); i++) {
                try {
                    AoeDevice.await(answers.get(i).done);
                } catch (AoeIoException.DeviceTimeoutException e) {
                    continue;   // a silent path stays on probation, unused
                }
                IdentifyData id = IdentifyData.parse(answers.get(i).view.array());
                if (identity == null) {
                    identity = id;
                    first = paths.get(i).mac;
                } else if (!sameDisk(identity, id)) {
                    throw conflict(address, first, identity, paths.get(i).mac, id);
                }
                engine.confirm(paths.get(i));
            }
            if (identity == null) {
                throw new AoeIoException.DeviceTimeoutException(address + ": the target answered the config query but"
                        + " not IDENTIFY within " + Duration.ofNanos(Math.max(wait.toNanos(), deadTime.toNanos())).toMillis()
                        + " ms");
            }
            AoeDevice device = new AoeDevice(this, target, engine, identity);
            devices.add(device);
            return device;
        } catch (IOException | RuntimeException e) {
            unregister(engine);
            engine.fail(new AoeIoException(address + " was not opened"));
            throw e;
        }
    }

    private synchronized void register(FrameEngine engine) {
        FrameEngine[] now = Arrays.copyOf(engines, engines.length + 1);
        now[now.length - 1] = engine;
        engines = now;
        clock.add(engine);
    }

    private synchronized void unregister(FrameEngine engine) {
        engines = Arrays.stream(engines).filter(e -> e != engine).toArray(FrameEngine[]::new);
        clock.remove(engine);
    }

    /** Sends a config request (a read, test, prefix, set or force set) to a target; empty when it stays silent. */
    public Optional<AoeFrame> config(AoeAddress address, ConfigArg.Ccmd ccmd, Octets text, Duration wait)
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
        unregister(device.engine());
        device.engine().fail(new AoeIoException(device.address() + " was closed"));
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        devices.forEach(AoeDevice::close);
        links.forEach(FrameLink::close);
        clock.close();
        timer.stop();
    }

    /** Ethernet's view of this initiator's interfaces, for messages. */
    @Override
    public String toString() {
        return "initiator on " + links.stream().map(l -> l.name() + " " + l.mac() + " mtu " + l.mtu()).toList()
                + " (max frame " + Ethernet.maxFrameLength(links.get(0).mtu()) + " bytes)";
    }
}
