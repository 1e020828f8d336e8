package dev.aoe.cli.target;

import dev.aoe.capture.CapturingLink;
import dev.aoe.capture.PcapFileWriter;
import dev.aoe.cli.ByteSizes;
import dev.aoe.cli.CommandFailure;
import dev.aoe.cli.LinkOption;
import dev.aoe.link.FrameLink;
import dev.aoe.link.spec.LinkSpec;
import dev.aoe.target.Export;
import dev.aoe.target.ExportState;
import dev.aoe.target.Target;
import dev.aoe.target.overlay.ClientGroup;
import dev.aoe.target.overlay.OverlayClient;
import dev.aoe.target.overlay.OverlayStore;
import dev.aoe.target.store.BlockStore;
import dev.aoe.target.store.FileBlockStore;
import dev.aoe.target.store.StoreException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code aoe target} runs: the exports of a configuration on their interfaces, one
 * {@link Target} per interface, and what changes them while they serve. A reload ({@link #reload})
 * compares the new configuration with the running one export by export: new exports start and are
 * announced, removed ones stop, changed ones (other file, interfaces or options) are reopened, and
 * the untouched ones keep serving without missing a request. Every image's size is checked each
 * second, so an image that grows or shrinks underneath is followed.
 */
final class TargetService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TargetService.class);
    private static final Duration PROBE = Duration.ofMillis(300);

    /** How the service serves, from the command line. */
    record Settings(LinkOption link, int busyPollMicros, int threads, Integer ioThreads, Path stateDir, Path pcap,
                    boolean force) {
    }

    /** One export as it runs: what it was made from, its per-client overlays (or null), its address lock. */
    private record Running(ExportSpec spec, Export export, OverlayStore overlays, FileLock addressLock) {
    }

    private final Settings settings;
    private final PrintWriter out;
    private final String hostname = hostname();
    private final Instant started = Instant.now();
    private final Map<String, Running> exports = new LinkedHashMap<>();
    /** The targets of each interface: one, or with {@code --threads N} N sharing its frames by client. */
    private final Map<String, List<Target>> targets = new LinkedHashMap<>();
    private final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "target-size-watch");
        t.setDaemon(true);
        return t;
    });
    private ExecutorService io;
    private List<ClientGroup> clients = List.of();
    private PcapFileWriter capture;
    private boolean stopped;
    private Consumer<Export> onOpen = export -> { };

    TargetService(Settings settings, PrintWriter out) {
        this.settings = settings;
        this.out = out;
    }

    /** Runs for every export opened from now on (metrics attach their latency histogram this way). */
    synchronized void onOpen(Consumer<Export> action) {
        this.onOpen = action;
        exports.values().forEach(r -> action.accept(r.export()));
    }

    /** Opens, probes and starts every export; on failure everything opened so far is closed. */
    synchronized void start(ConfigFile.Configuration configuration) {
        List<ExportSpec> specs = configuration.exports();
        clients = configuration.clients();
        check(specs);
        if (settings.stateDir() != null) {
            try {
                ExportState.checkDirectory(settings.stateDir());
            } catch (IOException e) {
                throw new CommandFailure(e.getMessage());
            }
        }
        int threads = poolSize(specs);
        if (threads > 0) {
            AtomicInteger n = new AtomicInteger();
            io = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "target-io-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        if (settings.pcap() != null) {
            try {
                capture = new PcapFileWriter(settings.pcap());
            } catch (IOException e) {
                throw new CommandFailure("cannot write " + settings.pcap() + ": " + e.getMessage());
            }
        }
        Map<String, List<Export>> byInterface = new LinkedHashMap<>();
        for (ExportSpec s : specs) {
            Running r = open(s);
            exports.put(key(s), r);
            for (String iface : s.interfaces()) {
                byInterface.computeIfAbsent(iface, k -> new ArrayList<>()).add(r.export());
            }
        }
        for (Map.Entry<String, List<Export>> e : byInterface.entrySet()) {
            targets.put(e.getKey(), openTargets(e.getKey(), e.getValue()));
        }
        probe(targets.values().stream().map(group -> group.get(0)).toList());
        for (List<Target> group : targets.values()) {
            group.forEach(Target::start);
            for (Export export : group.get(0).exports()) {
                out.println(startLine(export, group));
            }
        }
        out.flush();
        watcher.scheduleWithFixedDelay(this::checkSizes, 1, 1, TimeUnit.SECONDS);
    }

    private static void check(List<ExportSpec> specs) {
        Set<String> seen = new HashSet<>();
        for (ExportSpec s : specs) {
            if (s.shelf() < 0 || s.shelf() > Export.MAX_SHELF) {
                throw new CommandFailure(s.origin() + ": shelf " + s.shelf() + " is outside 0.." + Export.MAX_SHELF
                        + " (65535 is the broadcast shelf and cannot be exported)", 2);
            }
            if (s.slot() < 0 || s.slot() > Export.MAX_SLOT) {
                throw new CommandFailure(s.origin() + ": slot " + s.slot() + " is outside 0.." + Export.MAX_SLOT
                        + " (255 is the broadcast slot and cannot be exported)", 2);
            }
            for (String iface : s.interfaces()) {
                if (!seen.add(iface + "/" + s.name())) {
                    throw new CommandFailure(s.origin() + ": " + s.name() + " is exported twice on " + iface, 2);
                }
            }
        }
    }

    private int poolSize(List<ExportSpec> specs) {
        if (settings.ioThreads() != null) {
            return settings.ioThreads();
        }
        boolean blocking = specs.stream().anyMatch(s -> s.options().sync || s.options().direct);
        return blocking ? 64 : 0;
    }

    /** What identifies a running export: its spec, and for one with overlays the client groups too. */
    private String key(ExportSpec s) {
        return s.key() + (s.options().overlays() ? " clients=" + clients : "");
    }

    /** Opens an export's file (or overlays) and state, and locks its address on this host; one line for what fails. */
    private Running open(ExportSpec s) {
        FileLock addressLock = null;
        for (String iface : s.interfaces()) {
            addressLock = lockAddress(s, iface);
        }
        BlockStore store;
        OverlayStore overlays = null;
        try {
            if (s.options().overlays()) {
                overlays = OverlayStore.open(s.file(), s.options().storeOptions(), s.options().overlayOptions(clients));
                store = overlays.base();
            } else {
                FileBlockStore file = FileBlockStore.open(s.file(), s.options().storeOptions());
                file.warnings().forEach(w -> log.warn("{}: {}", s.name(), w));
                store = file;
            }
        } catch (StoreException | IllegalArgumentException e) {
            release(addressLock);
            throw new CommandFailure(s.name() + ": " + e.getMessage());
        }
        ExportState state = settings.stateDir() == null ? ExportState.inMemory()
                : ExportState.load(settings.stateDir().resolve(s.name() + ".state"));
        for (var mac : s.options().macAllow) {
            state.maskAdd(mac);
        }
        Export export = new Export(s.shelf(), s.slot(), store, state, s.options().bufferCount, hostname);
        if (overlays != null) {
            export.clients(overlays);
        }
        onOpen.accept(export);
        return new Running(s, export, overlays, addressLock);
    }

    /**
     * A lock file per address and interface on this host: a second target process serving the same
     * shelf.slot on the same interface is refused even where the link cannot see the first one's
     * answers (a pcap link sees no outgoing frames).
     */
    private FileLock lockAddress(ExportSpec s, String iface) {
        Path dir = ControlSocket.directory();
        Path file = dir.resolve(s.name() + "@" + iface.replace('/', '_') + ".lock");
        try {
            Files.createDirectories(dir);
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                String what = s.name() + " is already served on " + iface + " by another target on this machine";
                if (!settings.force()) {
                    throw new CommandFailure(what + " (" + file + " is locked); --force serves it anyway");
                }
                log.warn("{}; serving it anyway (--force)", what);
            }
            return lock;
        } catch (IOException e) {
            log.debug("no address lock {}: {}", file, e.getMessage());
            return null;
        }
    }

    private static void release(FileLock lock) {
        if (lock != null) {
            try {
                lock.channel().close();
            } catch (IOException e) {
                // the lock goes with the process anyway
            }
        }
    }

    /** The targets of one interface, each on its own link (one, unless {@code --threads} asks for more). */
    private List<Target> openTargets(String iface, List<Export> exports) {
        LinkSpec.Opened opened = settings.link().open(iface, settings.busyPollMicros(), settings.threads());
        if (opened.fallbackReason() != null) {
            log.warn("{}: {}; using pcap", iface, opened.fallbackReason());
        }
        List<Target> group = new ArrayList<>();
        for (FrameLink link : opened.links()) {
            group.add(new Target(capture == null ? link : new CapturingLink(link, capture), exports, io));
        }
        return List.copyOf(group);
    }

    /** Before announcing: does another target already answer for one of these addresses? */
    private void probe(List<Target> ready) {
        List<String> found = new ArrayList<>();
        for (Target target : ready) {
            try {
                found.addAll(target.probe(PROBE));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CommandFailure("interrupted");
            }
        }
        if (found.isEmpty()) {
            return;
        }
        if (!settings.force()) {
            throw new CommandFailure(String.join("; ", found) + ": refusing to answer for it too (clients would see a "
                    + "mixture of two disks); --force serves it anyway");
        }
        found.forEach(f -> log.warn("{}; serving it anyway (--force)", f));
    }

    /**
     * Applies a new configuration; returns one line per change ("e0.2 added ...", "e0.3 removed ...",
     * "e0.1 changed ..."), or says there was none. An export that cannot be opened is reported and
     * left out; the others apply.
     */
    synchronized List<String> reload(ConfigFile.Configuration configuration) {
        List<ExportSpec> specs = configuration.exports();
        check(specs);
        clients = configuration.clients();
        List<String> changes = new ArrayList<>();
        Map<String, ExportSpec> wanted = new LinkedHashMap<>();
        specs.forEach(s -> wanted.put(key(s), s));
        Map<String, Running> removed = new LinkedHashMap<>();
        for (Map.Entry<String, Running> e : exports.entrySet()) {
            if (!wanted.containsKey(e.getKey())) {
                removed.put(e.getKey(), e.getValue());
            }
        }
        removed.keySet().forEach(exports::remove);
        Set<String> changedNames = new HashSet<>();
        for (ExportSpec s : specs) {
            if (!exports.containsKey(key(s))) {
                removed.values().stream().filter(r -> r.spec().name().equals(s.name())).forEach(r -> changedNames.add(s.name()));
            }
        }
        // stop serving what went away before its file is closed, or reopened for a changed export
        for (Target target : allTargets()) {
            target.exports(target.exports().stream().filter(x -> removed.values().stream()
                    .noneMatch(r -> r.export() == x)).toList());
        }
        for (Running r : removed.values()) {
            close(r);
            if (!changedNames.contains(r.spec().name())) {
                changes.add(r.spec().name() + " removed (" + r.spec().origin() + ")");
            }
        }
        for (ExportSpec s : specs) {
            if (exports.containsKey(key(s))) {
                continue;
            }
            try {
                exports.put(key(s), open(s));
                changes.add(s.name() + (changedNames.contains(s.name()) ? " changed" : " added") + " (" + s.origin()
                        + "): " + s.file() + " on " + String.join(",", s.interfaces()));
            } catch (CommandFailure e) {
                changes.add(s.name() + " not started: " + e.getMessage());
            }
        }
        regroup(changes);
        if (changes.isEmpty()) {
            changes.add("no change");
        }
        changes.forEach(c -> log.info("reload: {}", c));
        return changes;
    }

    /** Gives every interface's target the exports that name it; opens and closes links as needed. */
    private void regroup(List<String> changes) {
        Map<String, List<Export>> byInterface = new LinkedHashMap<>();
        for (Running r : exports.values()) {
            for (String iface : r.spec().interfaces()) {
                byInterface.computeIfAbsent(iface, k -> new ArrayList<>()).add(r.export());
            }
        }
        for (Map.Entry<String, List<Target>> e : List.copyOf(targets.entrySet())) {
            if (!byInterface.containsKey(e.getKey())) {
                for (Target target : e.getValue()) {
                    target.exports(List.of());
                    target.close();
                }
                targets.remove(e.getKey());
                changes.add(e.getKey() + " no longer used: closed");
            }
        }
        for (Map.Entry<String, List<Export>> e : byInterface.entrySet()) {
            List<Target> group = targets.get(e.getKey());
            if (group != null) {
                group.forEach(target -> target.exports(e.getValue()));
                continue;
            }
            try {
                group = openTargets(e.getKey(), e.getValue());
            } catch (CommandFailure failure) {
                changes.add(e.getKey() + ": " + failure.getMessage());
                continue;
            }
            targets.put(e.getKey(), group);
            group.forEach(Target::start);
        }
    }

    private void close(Running r) {
        try {
            if (r.overlays() != null) {
                r.overlays().close();
            } else {
                r.export().store().close();
            }
        } catch (IOException e) {
            log.warn("{}: closing {} failed: {}", r.spec().name(), r.spec().file(), e.getMessage());
        }
        release(r.addressLock());
    }

    private void checkSizes() {
        for (Running r : snapshot()) {
            String change = r.export().store().checkSize();
            if (change != null) {
                log.warn("{}: {}", r.spec().name(), change);
            }
        }
    }

    private synchronized List<Running> snapshot() {
        return List.copyOf(exports.values());
    }

    synchronized List<Export> exports() {
        return exports.values().stream().map(Running::export).toList();
    }

    /** The overlay stores of the exports that have them, by export. */
    synchronized Map<Export, OverlayStore> overlays() {
        Map<Export, OverlayStore> m = new LinkedHashMap<>();
        exports.values().stream().filter(r -> r.overlays() != null).forEach(r -> m.put(r.export(), r.overlays()));
        return m;
    }

    /** Every running target, those sharing an interface one after another. */
    synchronized List<Target> targets() {
        return allTargets();
    }

    private List<Target> allTargets() {
        return targets.values().stream().flatMap(List::stream).toList();
    }

    private static String startLine(Export export, List<Target> group) {
        Target target = group.get(0);
        return String.format("%s: %s, %s (%d sectors)%s on %s (%s%s), MTU %d, %d sectors per frame, buffer count %d",
                export.name(), export.store() instanceof FileBlockStore f ? f.file() : export.store(),
                ByteSizes.format(export.store().sectors() * 512), export.store().sectors(),
                export.store().readOnly() ? ", read-only" : "", target.link().name(), linkKind(target.link()),
                group.size() > 1 ? ", " + group.size() + " threads" : "",
                target.link().mtu(), target.maxSectors(), export.bufferCount());
    }

    /** What kind of link serves: afpacket, pcap or udp (through a capture, the link inside it). */
    private static String linkKind(FrameLink l) {
        FrameLink inner = l instanceof CapturingLink c ? c.inner() : l;
        String name = inner.getClass().getSimpleName();
        return name.startsWith("AfPacket") ? "afpacket" : name.startsWith("Pcap") ? "pcap"
                : name.startsWith("Udp") ? "udp" : name;
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** Statistics per export and per interface, one line each. */
    synchronized String statusText() {
        StringBuilder sb = new StringBuilder();
        sb.append("aoe target pid ").append(ProcessHandle.current().pid()).append(", up ")
                .append(Duration.between(started, Instant.now()).toSeconds()).append(" s\n");
        for (Running r : exports.values()) {
            sb.append("  ").append(r.export().name()).append(' ').append(r.spec().file()).append(": ")
                    .append(r.export().stats()).append('\n');
            if (r.overlays() != null) {
                for (OverlayClient c : r.overlays().clients()) {
                    sb.append("    client ").append(c.name()).append(' ').append(c.macs()).append(": ")
                            .append(c.heldBlocks()).append(" blocks held, ").append(c.stats()).append('\n');
                }
            }
        }
        for (List<Target> group : targets.values()) {
            for (int i = 0; i < group.size(); i++) {
                Target t = group.get(i);
                sb.append("  ").append(t.link().name()).append(group.size() > 1 ? " thread " + (i + 1) : "")
                        .append(": ").append(t.stats()).append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * Stops receiving, lets requests in progress finish, flushes and closes every file. Idempotent:
     * true only for the call that stopped it.
     */
    synchronized boolean stop() {
        if (stopped) {
            return false;
        }
        stopped = true;
        watcher.shutdownNow();
        for (Target t : allTargets()) {
            t.close();
        }
        if (io != null) {
            io.shutdown();
            try {
                io.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Running r : exports.values()) {   // once each, also when served on several interfaces
            close(r);
        }
        if (capture != null) {
            try {
                capture.close();
            } catch (IOException ex) {
                log.error("finishing {} failed: {}", settings.pcap(), ex.getMessage());
            }
        }
        return true;
    }

    @Override
    public void close() {
        stop();
    }
}
