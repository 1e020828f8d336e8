package dev.aoe.cli.target;

import dev.aoe.cli.CommandFailure;
import dev.aoe.cli.CommandLines;
import dev.aoe.cli.LinkOption;
import dev.aoe.cli.Signals;
import dev.aoe.cli.VersionProvider;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
            "Arguments in vblade's order, so it can stand in for vblade; --config or --config-dir export many from one"
                + " process. Before it answers, it asks each interface whether another target already serves the same"
                + " address, and refuses if one does (--force serves anyway).",
            "SIGHUP (or aoe target --reload) re-reads --config/--config-dir: new exports start, removed ones stop, changed"
                + " ones are reopened, the rest keep serving. SIGUSR1 prints statistics; SIGINT and SIGTERM flush and"
                + " stop."},
        footer = {"", "Examples:",
            "  aoe target 0 1 eth0 disk.img                   export disk.img as e0.1",
            "  aoe target --size 1G 0 2 eth0,eth1 new.img     create a 1 GiB sparse file, serve it on two interfaces",
            "  aoe target --config-dir /etc/aoe/exports.d     every *.conf file, one export per line",
            "  aoe target 0 1 udp:5556 disk.img               serve a QEMU guest on -netdev dgram (no root)",
            "  aoe target --reload                            make the running targets re-read their configuration",
            "  aoe target --stats                             statistics of the running targets"})
public final class TargetCommand implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(TargetCommand.class);

    @Parameters(index = "0", arity = "0..1", paramLabel = "SHELF", description = "Shelf (major) 0-65534.")
    Integer shelf;

    @Parameters(index = "1", arity = "0..1", paramLabel = "SLOT", description = "Slot (minor) 0-254.")
    Integer slot;

    @Parameters(index = "2", arity = "0..1", paramLabel = "IFACE[,IFACE...]",
            description = "Network interface(s), or udp:PORT[-REMOTEPORT].")
    String interfaces;

    @Parameters(index = "3", arity = "0..1", paramLabel = "FILE", description = "File or block device to export.")
    Path file;

    @Mixin
    ExportOptions options;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Export every line of FILE: SHELF SLOT IFACE FILE [OPTIONS] (quotes keep spaces).")
    Path config;

    @Option(names = "--config-dir", paramLabel = "DIR",
            description = "Export every line of every DIR/*.conf file, in file name order (what the service runs).")
    Path configDir;

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Keep each export's config string, mask and reservation in DIR across restarts; checked at"
                    + " start (a directory this user can write).")
    Path stateDir;

    @Option(names = "--pcap", paramLabel = "FILE", description = "Record every frame sent and received to a pcap file.")
    Path pcap;

    @Mixin
    LinkOption link;

    @Option(names = "--busy-poll", paramLabel = "MICROS", defaultValue = "50",
            description = "With AF_PACKET: watch the ring up to this long before sleeping, while requests keep coming that"
                    + " soon (lower latency, for CPU time only under load; 0 never watches; default: ${DEFAULT-VALUE}).")
    int busyPollMicros;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
            description = "Receive on N threads per interface, each with its own AF_PACKET ring; a client's frames always"
                    + " reach the same thread, so several clients are served in parallel (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--io-threads", paramLabel = "N",
            description = "Serve reads, writes and flushes on N threads (default: on each interface's receive thread; "
                    + "with --sync or --direct, 64 threads, requests beyond an export's buffer count dropped).")
    Integer ioThreads;

    @Option(names = "--metrics", paramLabel = "HOST:PORT",
            description = "Serve Prometheus metrics at http://HOST:PORT/metrics: counters per export and interface,"
                    + " a request latency histogram, requests in flight.")
    String metrics;

    @Option(names = "--force", description = "Serve even where another target already answers for an address.")
    boolean force;

    @Option(names = "--stats", description = "Print the statistics of the targets running on this machine, then exit.")
    boolean stats;

    @Option(names = "--reload", description = "Make the targets running on this machine re-read their configuration,"
            + " print what changed, then exit.")
    boolean reload;

    @Spec
    CommandSpec spec;

    private final CountDownLatch reported = new CountDownLatch(1);

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        if (stats || reload) {
            List<String> answers = ControlSocket.send(stats ? "stats" : "reload");
            if (answers.isEmpty()) {
                throw new CommandFailure("no running target found (looked in " + ControlSocket.directory() + ")");
            }
            answers.forEach(out::print);
            out.flush();
            return;
        }
        checkOptions();
        Supplier<ConfigFile.Configuration> source = source();
        TargetService service = new TargetService(new TargetService.Settings(link, busyPollMicros, threads, ioThreads, stateDir,
                pcap, force), out);
        TargetMetrics served = null;
        ControlSocket control = null;
        try {
            if (metrics != null) {
                served = TargetMetrics.start(metrics, service::exports, service::targets, service::overlays);
                service.onOpen(served::measure);
            }
            service.start(source.get());
            control = ControlSocket.open(Map.of("stats", service::statusText, "reload", () -> reload(service, source)));
        } catch (RuntimeException e) {
            service.stop();
            if (served != null) {
                served.close();
            }
            throw e;
        }
        TargetMetrics metricsServer = served;
        ControlSocket controlSocket = control;
        Runnable stopAndReport = () -> {
            if (service.stop()) {
                System.err.print(service.statusText());
                System.err.flush();
            }
            if (metricsServer != null) {
                metricsServer.close();
            }
            if (controlSocket != null) {
                controlSocket.close();
            }
            reported.countDown();
        };
        Runtime.getRuntime().addShutdownHook(new Thread(stopAndReport, "target-shutdown"));
        Signals.onTerminate(code -> {
            stopAndReport.run();
            Runtime.getRuntime().halt(0);   // a clean stop on SIGINT or SIGTERM is a success
        });
        Signals.on("USR1", () -> {
            System.err.print(service.statusText());
            System.err.flush();
        });
        Signals.on("HUP", () -> reload(service, source));
        try {
            reported.await();   // the report is out before main returns and the JVM may exit
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void checkOptions() {
        if (busyPollMicros < 0 || busyPollMicros > 1_000_000) {
            throw new CommandFailure("--busy-poll " + busyPollMicros + " is outside 0..1000000 microseconds",
                    CommandLines.EXIT_USAGE);
        }
        if (threads < 1 || threads > 64) {
            throw new CommandFailure("--threads " + threads + " is outside 1..64", CommandLines.EXIT_USAGE);
        }
        if (ioThreads != null && (ioThreads < 0 || ioThreads > 256)) {
            throw new CommandFailure("--io-threads " + ioThreads + " is outside 0..256", CommandLines.EXIT_USAGE);
        }
    }

    /** Where the exports come from: the command line, or a file or directory read again at each reload. */
    private Supplier<ConfigFile.Configuration> source() {
        boolean positional = shelf != null || slot != null || interfaces != null || file != null;
        int sources = (config != null ? 1 : 0) + (configDir != null ? 1 : 0) + (positional ? 1 : 0);
        if (sources > 1) {
            throw new CommandFailure("give one of --config FILE, --config-dir DIR or SHELF SLOT IFACE FILE",
                    CommandLines.EXIT_USAGE);
        }
        if (config != null) {
            return () -> ConfigFile.read(config);
        }
        if (configDir != null) {
            return () -> ConfigFile.readDirectory(configDir);
        }
        if (shelf == null || slot == null || interfaces == null || file == null) {
            throw new CommandFailure("missing arguments: SHELF SLOT IFACE FILE (or --config FILE, --config-dir DIR);"
                    + " see --help", CommandLines.EXIT_USAGE);
        }
        try {
            options.check();
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(e.getMessage(), CommandLines.EXIT_USAGE);
        }
        ConfigFile.Configuration one = new ConfigFile.Configuration(List.of(new ExportSpec(shelf, slot,
                List.of(interfaces.split(",")), file, options, "command line")), List.of());
        return () -> one;
    }

    /** Re-reads the configuration and applies it; a configuration that does not parse changes nothing. */
    private static String reload(TargetService service, Supplier<ConfigFile.Configuration> source) {
        ConfigFile.Configuration specs;
        try {
            specs = source.get();
        } catch (CommandFailure e) {
            log.error("reload: {}; the running configuration stays", e.getMessage());
            return "reload failed: " + e.getMessage() + "; the running configuration stays\n";
        }
        List<String> changes;
        try {
            changes = service.reload(specs);
        } catch (CommandFailure e) {
            log.error("reload: {}; the running configuration stays", e.getMessage());
            return "reload failed: " + e.getMessage() + "; the running configuration stays\n";
        }
        return String.join("\n", new ArrayList<>(changes)) + "\n";
    }
}
