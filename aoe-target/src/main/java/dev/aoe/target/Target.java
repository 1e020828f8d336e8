package dev.aoe.target;

import static dev.aoe.target.ExportStats.Counter.AOE_ERRORS;
import static dev.aoe.target.ExportStats.Counter.BROADCASTS;
import static dev.aoe.target.ExportStats.Counter.DROPPED_MALFORMED;
import static dev.aoe.target.ExportStats.Counter.DROPPED_MASKED;
import static dev.aoe.target.ExportStats.Counter.FRAMES_IGNORED;
import static dev.aoe.target.ExportStats.Counter.FRAMES_RECEIVED;
import static dev.aoe.target.ExportStats.Counter.FRAMES_SENT;
import static dev.aoe.target.ExportStats.Counter.REPLIES;
import static dev.aoe.target.ExportStats.Counter.UNKNOWN_COMMAND;

import dev.aoe.ethernet.Ethernet;
import dev.aoe.ethernet.MacAddress;
import dev.aoe.frame.AoeCommand;
import dev.aoe.frame.AoeError;
import dev.aoe.frame.AoeFrame;
import dev.aoe.frame.AoeHeader;
import dev.aoe.frame.Arg;
import dev.aoe.frame.AtaFlyweight;
import dev.aoe.frame.ConfigArg;
import dev.aoe.frame.FrameCodec;
import dev.aoe.frame.HeaderFlyweight;
import dev.aoe.frame.MalformedFrameException;
import dev.aoe.link.FrameLink;
import dev.aoe.link.LinkException;
import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves exports on one link. Every frame is filtered, in order: AoE requests only, addressed to this
 * link's MAC or to broadcast, for one of the exports (or the broadcast shelf or slot), from a MAC the
 * export's mask allows. Then the version is checked (error 5) and the command dispatched.
 */
public final class Target implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Target.class);

    private static final long FAULT_LOG_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final FrameLink link;
    private volatile List<Export> exports;
    private final Executor io;
    private final int maxSectors;
    private final ExportStats stats = new ExportStats();
    private final AtaHandler ata = new AtaHandler(this);
    private final ConfigHandler config = new ConfigHandler(this);
    private final MaskHandler mask = new MaskHandler(this);
    private final ReserveHandler reserve = new ReserveHandler(this);
    private boolean listening;
    /** While probing, answers nothing and collects who else answers for our addresses. */
    private volatile List<String> probeAnswers;
    private volatile boolean serving;
    private long lastFaultLogNanos;

    /**
     * @param io runs reads, writes and flushes, requests beyond an export's buffer count being dropped
     *           before they reach it; {@code null} serves them on the link's receive thread, in order,
     *           which is fastest when the store does not block (page cache, tmpfs)
     */
    public Target(FrameLink link, List<Export> exports, Executor io) {
        this.link = link;
        this.exports = List.copyOf(exports);
        this.io = io;
        this.maxSectors = AtaFlyweight.sectorsPerFrame(link.mtu());
        if (maxSectors < 1) {
            throw new IllegalArgumentException(link.name() + ": MTU " + link.mtu() + " cannot carry one sector");
        }
    }

    /** Starts receiving and serving, and announces every export (an unsolicited config response). */
    public void start() {
        listen();
        serving = true;
        announce();
    }

    private synchronized void listen() {
        if (!listening) {
            link.start(this::onFrame);
            listening = true;
        }
    }

    /**
     * Asks the link whether another target already answers for one of our exports' addresses: a
     * config query for each, broadcast, and {@code wait} for answers, serving nothing meanwhile. Returns
     * one line per answer found ("e0.1 is already served by 02:00:00:00:00:01"); empty when nobody else
     * serves them. Call before {@link #start}.
     */
    public List<String> probe(Duration wait) throws InterruptedException {
        List<String> found = new CopyOnWriteArrayList<>();
        probeAnswers = found;
        listen();
        try {
            for (Export export : exports) {
                AoeFrame query = new AoeFrame(MacAddress.BROADCAST, link.mac(),
                        AoeHeader.request(export.shelf(), export.slot(), AoeCommand.QUERY_CONFIG, 0), ConfigArg.read());
                try {
                    link.send(FrameCodec.encode(query, link.alloc()));
                } catch (LinkException e) {
                    // a link that cannot send yet (a tap with no one attached) has no other target on it either
                    log.debug("{}: cannot ask whether another target serves {}: {}", link.name(), export.name(),
                            e.getMessage());
                }
            }
            TimeUnit.NANOSECONDS.sleep(wait.toNanos());   // answers arrive on the link's thread; we wait the whole time
        } finally {
            probeAnswers = null;
        }
        return List.copyOf(new LinkedHashSet<>(found));
    }

    /** During a probe: a config response for one of our addresses is another target serving it. */
    private void probed(ByteBuf frame, List<String> found) {
        if (HeaderFlyweight.command(frame) != AoeCommand.QUERY_CONFIG.code() || HeaderFlyweight.isError(frame)) {
            return;
        }
        int major = HeaderFlyweight.major(frame);
        int minor = HeaderFlyweight.minor(frame);
        for (Export export : exports) {
            if (export.shelf() == major && export.slot() == minor) {
                found.add(export.name() + " is already served by " + new MacAddress(Ethernet.source(frame)) + " on "
                        + link.name());
            }
        }
    }

    public FrameLink link() {
        return link;
    }

    public List<Export> exports() {
        return exports;
    }

    /**
     * Serves these exports from now on (a reloaded configuration): requests for exports no longer in
     * the list go unanswered, new ones are announced; the others keep serving undisturbed.
     */
    public void exports(List<Export> next) {
        List<Export> before = exports;
        exports = List.copyOf(next);
        if (serving) {
            for (Export export : next) {
                if (!before.contains(export)) {
                    announce(export);
                }
            }
        }
    }

    /** Counters of this interface: frames received, ignored and sent. */
    public ExportStats stats() {
        return stats;
    }

    /** Sectors per ATA request this link carries: (MTU - 22) / 512, so 2 at 1500 and 17 at 9000. */
    public int maxSectors() {
        return maxSectors;
    }

    Executor io() {
        return io;
    }

    /**
     * Sends each export's config as an unsolicited response (R set, tag 0): to broadcast, or to each MAC
     * of the mask when one is set, so running initiators see the export without rediscovery.
     */
    public void announce() {
        for (Export export : exports) {
            announce(export);
        }
    }

    private void announce(Export export) {
        List<MacAddress> to = export.state().mask();
        ConfigArg arg = config.announcement(export, ConfigArg.Ccmd.READ.code());
        for (MacAddress destination : to.isEmpty() ? List.of(MacAddress.BROADCAST) : to) {
            reply(export, destination, AoeCommand.QUERY_CONFIG.code(), 0, null, arg);
        }
    }

    void onFrame(ByteBuf frame) {
        try {
            serveFrame(frame);
        } catch (InternalError e) {
            faulted(e);
        }
    }

    /**
     * A fault in a mapped file, which the JVM reports late as an InternalError: a file that shrank
     * underneath. Every store re-reads its size (requests past the end then fail as out of range);
     * one log line every ten seconds at most says so, without a trace.
     */
    private void faulted(InternalError e) {
        boolean explained = false;
        for (Export export : exports) {
            String change = export.store().checkSize();
            if (change != null) {
                log.warn("{}: {}", export.name(), change);
                explained = true;
            }
        }
        long now = System.nanoTime();
        synchronized (this) {
            if (now - lastFaultLogNanos < FAULT_LOG_NANOS && lastFaultLogNanos != 0) {
                return;
            }
            lastFaultLogNanos = now;
        }
        if (explained) {
            return;   // the size change is the whole story
        }
        log.warn("{}: a mapped image faulted ({}); was an image truncated underneath?", link.name(), e.getMessage());
    }

    private void serveFrame(ByteBuf frame) {
        stats.increment(FRAMES_RECEIVED);
        if (!HeaderFlyweight.isAoe(frame)) {
            stats.increment(FRAMES_IGNORED);
            return;
        }
        if (HeaderFlyweight.isResponse(frame)) {
            List<String> probing = probeAnswers;
            if (probing != null) {
                probed(frame, probing);
            }
            stats.increment(FRAMES_IGNORED);
            return;
        }
        if (!serving) {
            stats.increment(FRAMES_IGNORED);
            return;
        }
        long destination = Ethernet.destination(frame);
        boolean toBroadcastMac = destination == MacAddress.BROADCAST.value();
        if (destination != link.mac().value() && !toBroadcastMac) {
            stats.increment(FRAMES_IGNORED);
            return;
        }
        int major = HeaderFlyweight.major(frame);
        int minor = HeaderFlyweight.minor(frame);
        boolean broadcast = major == HeaderFlyweight.BROADCAST_MAJOR || minor == HeaderFlyweight.BROADCAST_MINOR;
        boolean served = false;
        for (Export export : exports) {
            if (export.matches(major, minor)) {
                served = true;
                serve(export, frame, broadcast || toBroadcastMac, broadcast);
            }
        }
        if (!served) {
            stats.increment(FRAMES_IGNORED);
        }
    }

    private void serve(Export export, ByteBuf frame, boolean countBroadcast, boolean broadcastAddress) {
        if (!export.state().maskAllows(Ethernet.source(frame))) {
            export.stats().increment(DROPPED_MASKED);
            return;
        }
        if (countBroadcast) {
            export.stats().increment(BROADCASTS);
        }
        if (HeaderFlyweight.version(frame) != HeaderFlyweight.VERSION) {
            replyError(export, frame, AoeError.UNSUPPORTED_VERSION);
            return;
        }
        int command = HeaderFlyweight.command(frame);
        if (command == AoeCommand.ATA.code()) {
            ata.handle(export, frame, broadcastAddress);
            return;
        }
        if (command > AoeCommand.RESERVE_RELEASE.code()) {
            export.stats().increment(UNKNOWN_COMMAND);
            replyError(export, frame, AoeError.UNRECOGNIZED_COMMAND);
            return;
        }
        AoeFrame request;
        try {
            request = FrameCodec.decode(frame);
        } catch (MalformedFrameException e) {
            export.stats().increment(DROPPED_MALFORMED);
            log.debug("{}: malformed request from {}: {}", export.name(), new MacAddress(Ethernet.source(frame)),
                    e.getMessage());
            replyError(export, frame, e.replyError());
            return;
        }
        if (command == AoeCommand.QUERY_CONFIG.code()) {
            config.handle(export, request);
        } else if (command == AoeCommand.MAC_MASK_LIST.code()) {
            mask.handle(export, request);
        } else {
            reserve.handle(export, request);
        }
    }

    /** Answers a received request with just the AoE header, E set. */
    void replyError(Export export, ByteBuf request, AoeError error) {
        export.stats().increment(AOE_ERRORS);
        send(export, Responses.error(link, export, Ethernet.source(request), HeaderFlyweight.command(request),
                HeaderFlyweight.tag(request), error));
    }

    /** Answers a decoded request with just the AoE header, E set. */
    void replyError(Export export, AoeFrame request, AoeError error) {
        export.stats().increment(AOE_ERRORS);
        send(export, Responses.error(link, export, request.source().value(), request.header().command(),
                request.header().tag(), error));
    }

    /** Answers a decoded request with an argument, and with the E flag when {@code error} is given. */
    void reply(Export export, AoeFrame request, AoeError error, Arg arg) {
        reply(export, request.source(), request.header().command(), request.header().tag(), error, arg);
    }

    private void reply(Export export, MacAddress to, int command, int tag, AoeError error, Arg arg) {
        if (error != null) {
            export.stats().increment(AOE_ERRORS);
        }
        AtaFlyweight f = Responses.begin(link, export, to.value(), command, tag, arg.encodedLength());
        if (error != null) {
            f.error(error.code());
        }
        arg.encode(f.buffer(), f.offset());
        f.buffer().writerIndex(f.offset() + HeaderFlyweight.ARG_OFFSET + arg.encodedLength());
        send(export, f.buffer());
    }

    /** Pads and sends a response; takes ownership of it. */
    void send(Export export, ByteBuf response) {
        try {
            link.send(Responses.finish(response));
            stats.increment(FRAMES_SENT);
            export.stats().increment(REPLIES);
        } catch (LinkException e) {
            log.warn("{}: cannot send on {}: {}", export.name(), link.name(), e.getMessage());
        }
    }

    @Override
    public void close() {
        link.close();
    }

    @Override
    public String toString() {
        return link.name() + " (" + exports.size() + " exports, " + maxSectors + " sectors per frame)";
    }
}
