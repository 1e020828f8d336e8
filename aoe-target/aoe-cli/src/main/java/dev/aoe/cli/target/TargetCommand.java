package dev.aoe.cli.target;

import dev.aoe.capture.CapturingLink;
import dev.aoe.capture.PcapFileWriter;
import dev.aoe.cli.ByteSizes;
import dev.aoe.cli.CommandFailure;
import dev.aoe.cli.LinkOption;
import dev.aoe.cli.VersionProvider;
import dev.aoe.link.FrameLink;
import dev.aoe.link.spec.LinkSpec;
import dev.aoe.target.Export;
import dev.aoe.target.ExportState;
import dev.aoe.target.Target;
import dev.aoe.target.store.FileBlockStore;
import dev.aoe.target.store.StoreException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code aoe target}: export files as AoE devices, like vblade, many per process. */
@Command(name = "target", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {"Export a file (or block device) as AoE device eSHELF.SLOT on one or more interfaces.",
            "Arguments in vblade's order, so it can stand in for vblade; --config exports many from one process.",
            "SIGUSR1 prints statistics; SIGINT and SIGTERM flush and stop."},
        footer = {"", "Examples:",
            "  ./aoe target 0 1 eth0 disk.img                 export disk.img as e0.1",
            "  ./aoe target --size 1G 0 2 eth0,eth1 new.img   create a 1 GiB sparse file, serve it on two interfaces",
            "  ./aoe target --config /etc/aoe/exports          many exports, one per line",
            "  ./aoe target --stats                            statistics of the running targets"})
public final class TargetCommand implements Runnable {

    @Parameters(index = "0", arity = "0..1", paramLabel = "SHELF", description = "Shelf (major) 0-65534.")
    Integer shelf;

    @Parameters(index = "1", arity = "0..1", paramLabel = "SLOT", description = "Slot (minor) 0-254.")
    Integer slot;

    @Parameters(index = "2", arity = "0..1", paramLabel = "IFACE[,IFACE...]", description = "Network interface(s).")
    String interfaces;

    @Parameters(index = "3", arity = "0..1", paramLabel = "FILE", description = "File or block device to export.")
    Path file;

    @Mixin
    ExportOptions options;

    @Option(names = "--config", paramLabel = "FILE", description = "Export every line of FILE: SHELF SLOT IFACE FILE [OPTIONS].")
    Path config;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Keep each export's config string, mask and reservation in DIR across restarts.")
    Path stateDir;

    @Option(names = "--pcap", paramLabel = "FILE", description = "Record every frame sent and received to a pcap file.")
    Path pcap;

    @Mixin
    LinkOption link;

    @Option(names = "--busy-poll", paramLabel = "MICROS", defaultValue = "50",
            description = "With --link afpacket: after serving frames, watch the ring this long before sleeping "
                    + "(lower latency at small windows, for CPU time; 0 sleeps at once; default: ${DEFAULT-VALUE}).")
    int busyPollMicros;

    @Option(names = "--io-threads", paramLabel = "N",
            description = "Serve reads, writes and flushes on N threads (default: on each interface's receive thread; "
                    + "with --sync or --direct, as many threads as buffers, at most 64).")
    Integer ioThreads;

    @Option(names = "--stats", description = "Print the statistics of the targets running on this machine, then exit.")
    boolean stats;

    @Spec
    CommandSpec spec;

    private final List<Target> targets = new ArrayList<>();
    private final List<Export> exports = new ArrayList<>();
    private final Map<Export, String> where = new LinkedHashMap<>();
    private final Instant started = Instant.now();
    private ExecutorService io;
    private PcapFileWriter capture;
    private StatusSocket status;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CountDownLatch reported = new CountDownLatch(1);

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        if (stats) {
            List<String> answers = StatusSocket.query();
            if (answers.isEmpty()) {
                throw new CommandFailure("no running target found (looked in " + StatusSocket.directory() + ")");
            }
            answers.forEach(out::print);
            out.flush();
            return;
        }
        List<ExportSpec> specs = specs();
        try {
            start(specs, out);
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
        Runnable stopAndReport = () -> {
            if (stop()) {
                System.err.print(statusText());
                System.err.flush();
            }
            reported.countDown();
        };
        Runtime.getRuntime().addShutdownHook(new Thread(stopAndReport, "target-shutdown"));
        Signals.onTerminate(stopAndReport);
        Signals.onUsr1(() -> {
            System.err.print(statusText());
            System.err.flush();
        });
        try {
            reported.await();   // the report is out before main returns and the JVM may exit
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<ExportSpec> specs() {
        boolean positional = shelf != null || slot != null || interfaces != null || file != null;
        if (config != null && positional) {
            throw new CommandFailure("give either --config FILE or SHELF SLOT IFACE FILE, not both", 2);
        }
        if (config != null) {
            return ConfigFile.read(config);
        }
        if (shelf == null || slot == null || interfaces == null || file == null) {
            throw new CommandFailure("missing arguments: SHELF SLOT IFACE FILE (or --config FILE); see --help", 2);
        }
        return List.of(new ExportSpec(shelf, slot, List.of(interfaces.split(",")), file, options, "command line"));
    }

    private void start(List<ExportSpec> specs, PrintWriter out) {
        if (busyPollMicros < 0 || busyPollMicros > 1_000_000) {
            throw new CommandFailure("--busy-poll " + busyPollMicros + " is outside 0..1000000 microseconds");
        }
        if (ioThreads != null && (ioThreads < 0 || ioThreads > 256)) {
            throw new CommandFailure("--io-threads " + ioThreads + " is outside 0..256");
        }
        Set<String> seen = new HashSet<>();
        for (ExportSpec s : specs) {
            if (s.shelf() < 0 || s.shelf() > Export.MAX_SHELF) {
                throw new CommandFailure(s.origin() + ": shelf " + s.shelf() + " is outside 0.." + Export.MAX_SHELF
                        + " (65535 is the broadcast shelf and cannot be exported)");
            }
            if (s.slot() < 0 || s.slot() > Export.MAX_SLOT) {
                throw new CommandFailure(s.origin() + ": slot " + s.slot() + " is outside 0.." + Export.MAX_SLOT
                        + " (255 is the broadcast slot and cannot be exported)");
            }
            if (s.options().bufferCount < Export.MIN_BUFFER_COUNT || s.options().bufferCount > 0xFFFF) {
                throw new CommandFailure(s.origin() + ": --bufcnt " + s.options().bufferCount
                        + " is outside 2..65535 (Linux cannot use a target advertising fewer than 2)");
            }
            for (String iface : s.interfaces()) {
                if (!seen.add(iface + "/" + s.name())) {
                    throw new CommandFailure(s.origin() + ": " + s.name() + " is exported twice on " + iface);
                }
            }
        }
        String hostname = hostname();
        Map<String, List<Export>> byInterface = new LinkedHashMap<>();
        for (ExportSpec s : specs) {
            FileBlockStore store;
            try {
                store = FileBlockStore.open(s.file(), s.options().storeOptions());
            } catch (StoreException e) {
                throw new CommandFailure(s.name() + ": " + e.getMessage());
            }
            store.warnings().forEach(w -> spec.commandLine().getErr().println("aoe target: warning: " + w));
            ExportState state = stateDir == null ? ExportState.inMemory()
                    : ExportState.load(stateDir.resolve(s.name() + ".state"));
            for (var mac : s.options().macAllow) {
                state.maskAdd(mac);
            }
            Export export = new Export(s.shelf(), s.slot(), store, state, s.options().bufferCount, hostname);
            exports.add(export);
            where.put(export, s.file().toString());
            for (String iface : s.interfaces()) {
                byInterface.computeIfAbsent(iface, k -> new ArrayList<>()).add(export);
            }
        }
        boolean blocking = specs.stream().anyMatch(s -> s.options().sync || s.options().direct);
        int threads = ioThreads != null ? ioThreads
                : blocking ? Math.min(64, exports.stream().mapToInt(Export::bufferCount).sum()) : 0;
        if (threads > 0) {
            AtomicInteger n = new AtomicInteger();
            io = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "target-io-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        if (pcap != null) {
            try {
                capture = new PcapFileWriter(pcap);
            } catch (IOException e) {
                throw new CommandFailure("cannot write " + pcap + ": " + e.getMessage());
            }
        }
        List<Target> ready = new ArrayList<>();
        for (Map.Entry<String, List<Export>> e : byInterface.entrySet()) {
            LinkSpec.Opened opened = link.open(e.getKey(), busyPollMicros);
            FrameLink frameLink = opened.link();
            if (opened.fallbackReason() != null) {
                spec.commandLine().getErr().println("aoe target: " + e.getKey() + ": " + opened.fallbackReason()
                        + "; using pcap");
            }
            if (capture != null) {
                frameLink = new CapturingLink(frameLink, capture);
            }
            Target target = new Target(frameLink, e.getValue(), io);
            targets.add(target);
            ready.add(target);
        }
        status = StatusSocket.open(this::statusText);
        for (Target target : ready) {
            target.start();
            for (Export export : target.exports()) {
                out.printf("%s: %s, %s (%d sectors)%s on %s (%s), MTU %d, %d sectors per frame, buffer count %d%n",
                        export.name(), where.get(export), ByteSizes.format(export.store().sectors() * 512),
                        export.store().sectors(), export.store().readOnly() ? ", read-only" : "",
                        target.link().name(), linkKind(target.link()), target.link().mtu(), target.maxSectors(),
                        export.bufferCount());
            }
        }
        out.flush();
    }

    /** What kind of link serves: afpacket, pcap or udp (through a capture, the link inside it). */
    private static String linkKind(FrameLink l) {
        FrameLink inner = l instanceof CapturingLink c ? c.inner() : l;
        String name = inner.getClass().getSimpleName();
        return name.startsWith("AfPacket") ? "afpacket" : name.startsWith("Pcap") ? "pcap" : name.startsWith("Udp") ? "udp"
                : name;
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** Statistics per export and per interface, one line each. */
    String statusText() {
        StringBuilder sb = new StringBuilder();
        sb.append("aoe target pid ").append(ProcessHandle.current().pid()).append(", up ")
                .append(Duration.between(started, Instant.now()).toSeconds()).append(" s\n");
        for (Export e : exports) {
            sb.append("  ").append(e.name()).append(' ').append(where.get(e)).append(": ").append(e.stats()).append('\n');
        }
        for (Target t : targets) {
            sb.append("  ").append(t.link().name()).append(": ").append(t.stats()).append('\n');
        }
        return sb.toString();
    }

    /**
     * Stops receiving, lets requests in progress finish, flushes and closes every file. Idempotent:
     * true only for the call that stopped it.
     */
    synchronized boolean stop() {
        if (stopped.getCount() == 0) {
            return false;
        }
        for (Target t : targets) {
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
        for (Export e : exports) {   // once each, also when served on several interfaces
            try {
                e.store().close();
            } catch (IOException ex) {
                System.err.println("aoe target: " + e.name() + ": flushing on exit failed: " + ex.getMessage());
            }
        }
        if (capture != null) {
            try {
                capture.close();
            } catch (IOException ex) {
                System.err.println("aoe target: finishing " + pcap + " failed: " + ex.getMessage());
            }
        }
        if (status != null) {
            status.close();
        }
        stopped.countDown();
        return true;
    }
}
