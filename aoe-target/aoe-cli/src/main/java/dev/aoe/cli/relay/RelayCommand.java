package dev.aoe.cli.relay;

import dev.aoe.cli.CommandFailure;
import dev.aoe.cli.CommandLines;
import dev.aoe.cli.Durations;
import dev.aoe.cli.LinkOption;
import dev.aoe.cli.Signals;
import dev.aoe.cli.VersionProvider;
import dev.aoe.link.FrameLink;
import dev.aoe.relay.Relay;
import dev.aoe.relay.RelayFaults;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** {@code aoe relay A B}: bridge AoE frames between two interfaces, losing, duplicating and reordering some. */
@Command(name = "relay", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Bridge AoE frames between two interfaces and misbehave on purpose: drop, duplicate, reorder and"
                + " delay frames with a seeded random source, and black the path out on a schedule.",
            "For testing initiators and targets as real processes where tc netem is not available: put one on each"
                + " side (two veth pairs, the relay in between). SIGUSR1 prints the counters; SIGINT and SIGTERM stop"
                + " and print them."},
        footer = {"", "Example:",
            "  aoe relay veth0 veth1 --loss 5%% --duplicate 1%% --reorder 5%% --seed 1 --blackout 20s+3s"})
public final class RelayCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "A", description = "One interface.")
    String a;

    @Parameters(index = "1", paramLabel = "B", description = "The other interface.")
    String b;

    @Option(names = "--loss", paramLabel = "PERCENT", converter = Percent.class, defaultValue = "0",
            description = "Frames dropped, each way (default: ${DEFAULT-VALUE}).")
    double loss;

    @Option(names = "--duplicate", paramLabel = "PERCENT", converter = Percent.class, defaultValue = "0",
            description = "Frames sent twice (default: ${DEFAULT-VALUE}).")
    double duplicate;

    @Option(names = "--reorder", paramLabel = "PERCENT", converter = Percent.class, defaultValue = "0",
            description = "Frames held back until the next one overtakes them, or 5 ms pass (default: ${DEFAULT-VALUE}).")
    double reorder;

    @Option(names = "--delay", paramLabel = "TIME", converter = Durations.class,
            description = "Delay every frame this long (default: none).")
    Duration delay;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed of the random source: a seed replays a run (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--blackout", paramLabel = "AT+FOR",
            description = "Drop everything from AT after the start for FOR (e.g. 20s+3s); repeat for several.")
    List<String> blackouts = new ArrayList<>();

    @Mixin
    LinkOption link;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        RelayFaults faults = new RelayFaults(loss, duplicate, reorder, delay == null ? Duration.ZERO : delay,
                RelayFaults.NONE.reorderHold(), seed);
        List<Duration[]> schedule = new ArrayList<>();
        for (String s : blackouts) {
            schedule.add(blackout(s));
        }
        FrameLink first = link.open(a, 0).link();
        FrameLink second;
        try {
            second = link.open(b, 0).link();
        } catch (RuntimeException e) {
            first.close();
            throw e;
        }
        PrintWriter out = spec.commandLine().getOut();
        Relay relay = Relay.start(first, second, faults);
        out.printf(Locale.ROOT, "relaying %s <-> %s: loss %.2f%%, duplicate %.2f%%, reorder %.2f%%, delay %s, seed %d%n",
                a, b, 100 * loss, 100 * duplicate, 100 * reorder, faults.delay(), seed);
        out.flush();
        ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
        for (Duration[] d : schedule) {
            clock.schedule(() -> {
                relay.blackoutFor(d[1]);
                System.err.println("aoe relay: blackout for " + d[1].toMillis() + " ms");
            }, d[0].toNanos(), TimeUnit.NANOSECONDS);
        }
        CountDownLatch stop = new CountDownLatch(1);
        Signals.on("USR1", () -> System.err.println("aoe relay: " + relay));
        Signals.onTerminate(code -> stop.countDown());
        stop.await();
        clock.shutdownNow();
        System.err.println("aoe relay: " + relay);
        relay.close();
        return 0;
    }

    private static Duration[] blackout(String text) {
        int plus = text.indexOf('+');
        if (plus <= 0) {
            throw new CommandFailure("--blackout " + text + " is not AT+FOR (like 20s+3s)", CommandLines.EXIT_USAGE);
        }
        try {
            Durations d = new Durations();
            return new Duration[] {d.convert(text.substring(0, plus)), d.convert(text.substring(plus + 1))};
        } catch (TypeConversionException e) {
            throw new CommandFailure("--blackout " + text + ": " + e.getMessage(), CommandLines.EXIT_USAGE);
        }
    }

    /** {@code 5%} or {@code 5}: a share between 0 and 1. */
    static final class Percent implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            String v = value.trim();
            v = v.endsWith("%") ? v.substring(0, v.length() - 1) : v;
            try {
                double p = Double.parseDouble(v);
                if (p < 0 || p > 100) {
                    throw new TypeConversionException("'" + value + "' is outside 0..100%");
                }
                return p / 100;
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a percentage like 5%");
            }
        }
    }
}
