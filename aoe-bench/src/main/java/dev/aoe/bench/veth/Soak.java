package dev.aoe.bench.veth;

import dev.aoe.initiator.AoeAddress;
import dev.aoe.initiator.AoeDevice;
import dev.aoe.initiator.Initiator;
import dev.aoe.link.afpacket.AfPacketLink;
import dev.aoe.relay.Relay;
import dev.aoe.relay.RelayFaults;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * {@code ./aoe bench soak}: our target as a process, our initiator in this one, and the fault relay
 * between them (loss, duplication, reordering, and a blackout now and then), running mixed reads and
 * writes at a fixed window for a long time and checking every byte against a model of the disk. Each
 * minute it prints the throughput, retransmits, the slowest request, and the resident memory, threads
 * and open files of the target and of this process: what leaks grows from line to line, what stalls
 * shows as a minute without requests. At the end the whole disk is read back without faults and the
 * image file compared with the model; exit 0 only when nothing was lost or wrong.
 *
 * <p>The disk is cut into one region per request in flight, each with one request at a time, so the
 * model knows what every read must return; a write that fails is read back and its outcome adopted
 * (an unacknowledged write may or may not have landed).
 */
public final class Soak {

    private static final int MAX_SECTORS = 256;
    private static final int MIB = 1 << 20;

    /** The command line. */
    record Options(Duration length, int window, long sizeBytes, int mtu, RelayFaults faults, Duration blackoutEvery,
                   Duration blackoutLength, List<String> targetOptions) {

        static Options parse(String[] args) {
            Duration length = Duration.ofMinutes(30);
            int window = 64;
            long size = 256L * MIB;
            int mtu = 1500;
            double loss = 0.01;
            double duplicate = 0.005;
            double reorder = 0.01;
            Duration every = Duration.ofMinutes(5);
            Duration blackout = Duration.ofSeconds(3);
            long seed = 1;
            List<String> target = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("-h") || a.equals("--help")) {
                    throw new Usage(null);
                }
                if (i + 1 >= args.length) {
                    throw new Usage(a + " needs a value");
                }
                String v = args[++i];
                try {
                    switch (a) {
                        case "--minutes" -> length = Duration.ofSeconds(Math.round(Double.parseDouble(v) * 60));
                        case "--window" -> window = Integer.parseInt(v);
                        case "--size-mib" -> size = Long.parseLong(v) * MIB;
                        case "--mtu" -> mtu = Integer.parseInt(v);
                        case "--loss" -> loss = Double.parseDouble(v) / 100;
                        case "--duplicate" -> duplicate = Double.parseDouble(v) / 100;
                        case "--reorder" -> reorder = Double.parseDouble(v) / 100;
                        case "--blackout-every-min" -> every = Duration.ofSeconds(Math.round(Double.parseDouble(v) * 60));
                        case "--blackout-s" -> blackout = Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
                        case "--seed" -> seed = Long.parseLong(v);
                        case "--target-option" -> target.add(v);
                        default -> throw new Usage("unknown option " + a);
                    }
                } catch (NumberFormatException e) {
                    throw new Usage(a + " " + v + ": not a number");
                }
            }
            if (window < 1 || window > 1024 || size / window < MAX_SECTORS * 512L || length.isNegative()) {
                throw new Usage("--window must be 1..1024 and leave each request at least 128 KiB of the disk");
            }
            RelayFaults faults;
            try {
                faults = RelayFaults.NONE.withLoss(loss).withDuplicate(duplicate).withReorder(reorder).withSeed(seed);
            } catch (IllegalArgumentException e) {
                throw new Usage(e.getMessage());
            }
            return new Options(length, window, size, mtu, faults, every, blackout, List.copyOf(target));
        }
    }

    /** A usage error: its message (or the help when null), exit 2. */
    static final class Usage extends RuntimeException {
        Usage(String message) {
            super(message);
        }
    }

    private static final String HELP = """
            usage: ./aoe bench soak [--minutes 30] [--window 64] [--size-mib 256] [--mtu 1500]
                                    [--loss 1] [--duplicate 0.5] [--reorder 1] (percent of frames, each way)
                                    [--blackout-every-min 5] [--blackout-s 3] [--seed 1]
                                    [--target-option OPT]... (e.g. --target-option=--sync)
            Runs as root: two veth pairs and a namespace of its own, removed at the end.""";

    private final Options options;
    private final AtomicLong slowestNanos = new AtomicLong();
    private final LongAdder requests = new LongAdder();
    private final LongAdder bytesRead = new LongAdder();
    private final LongAdder bytesWritten = new LongAdder();
    private final LongAdder mismatches = new LongAdder();
    private final LongAdder failedReads = new LongAdder();
    private final LongAdder failedWrites = new LongAdder();
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean stopping;

    private Soak(Options options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (Usage u) {
            System.err.println(u.getMessage() == null ? HELP : "soak: " + u.getMessage() + "\n" + HELP);
            System.exit(u.getMessage() == null ? 0 : 2);
            return;
        }
        System.exit(new Soak(options).run() ? 0 : 1);
    }

    private boolean run() throws Exception {
        Path image = Files.createTempFile(Path.of(System.getProperty("java.io.tmpdir")), "aoe-soak", ".img");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(options.sizeBytes());
        }
        ExecutorService checker = Executors.newSingleThreadExecutor(r -> new Thread(r, "soak-check"));
        try (VethPair targetSide = VethPair.create(options.mtu(), "s");
             VethPair initiatorSide = VethPair.createLocal(options.mtu(), "r");
             TargetUnderTest target = TargetUnderTest.start("aoe-afpacket", targetSide, image, options.targetOptions());
             Relay relay = Relay.start(AfPacketLink.open(targetSide.outside()), AfPacketLink.open(initiatorSide.outside()),
                     options.faults());
             Initiator initiator = Initiator.builder().link(AfPacketLink.open(initiatorSide.inside()))
                     .deadTime(Duration.ofSeconds(10)).build()) {
            AoeDevice disk = initiator.open(new AoeAddress(0, 1), Duration.ofSeconds(30));
            System.out.printf(Locale.ROOT, "soak: %s of %d MiB at window %d, MTU %d, through the relay (%s); "
                            + "blackout of %d ms every %s; target pid %d %s%n", options.length(), options.sizeBytes() / MIB,
                    options.window(), options.mtu(), options.faults(), options.blackoutLength().toMillis(),
                    options.blackoutEvery(), target.pid(), options.targetOptions());
            List<Lane> lanes = new ArrayList<>();
            long region = (options.sizeBytes() / options.window()) / (MAX_SECTORS * 512L) * (MAX_SECTORS * 512L);
            CountDownLatch finished = new CountDownLatch(options.window());
            for (int i = 0; i < options.window(); i++) {
                lanes.add(new Lane(i, i * region, (int) region, disk, checker, finished));
            }
            lanes.forEach(Lane::next);
            monitor(disk, target, relay);
            stopping = true;
            if (!finished.await(60, TimeUnit.SECONDS)) {
                problems.add("requests still unanswered 60 s after the end: a stall");
            }
            relay.faults(RelayFaults.NONE);
            relay.blackout(false);
            verify("read back through the initiator", disk::read, lanes);
            disk.close();
            target.close();
            try (FileChannel file = FileChannel.open(image, StandardOpenOption.READ)) {
                verify("the image file", (position, into) -> {
                    while (into.hasRemaining() && file.read(into, position + into.position()) >= 0) {
                        // read the whole chunk
                    }
                }, lanes);
            }
            System.out.printf(Locale.ROOT, "relay: to the initiator %s; to the target %s%n", relay.forward(),
                    relay.backward());
        } finally {
            checker.shutdownNow();
            Files.deleteIfExists(image);
        }
        System.out.printf(Locale.ROOT, "%d requests, %.1f GiB read, %.1f GiB written, %d mismatches, %d failed reads, "
                        + "%d failed writes (read back and adopted)%n", requests.sum(), bytesRead.sum() / 1073741824.0,
                bytesWritten.sum() / 1073741824.0, mismatches.sum(), failedReads.sum(), failedWrites.sum());
        problems.stream().limit(20).forEach(p -> System.out.println("  " + p));
        boolean ok = problems.isEmpty() && mismatches.sum() == 0;
        System.out.println(ok ? "soak: OK" : "soak: FAILED");
        return ok;
    }

    /** One line a minute until the end; blackouts on schedule. */
    private void monitor(AoeDevice disk, TargetUnderTest target, Relay relay) throws Exception {
        System.out.println("  min  req/s  read MiB/s  write MiB/s  retrans  slowest ms | target RSS MiB  thr  fds  cpu% "
                + "| soak RSS MiB  thr  fds");
        long start = System.nanoTime();
        long end = start + options.length().toNanos();
        long nextBlackout = options.blackoutEvery().isZero() ? Long.MAX_VALUE : start + options.blackoutEvery().toNanos();
        long lastRequests = 0;
        long lastRead = 0;
        long lastWritten = 0;
        long lastRetrans = 0;
        double lastCpu = target.cpuSeconds();
        long lastTick = start;
        for (int minute = 1; System.nanoTime() < end; minute++) {
            long tick = Math.min(end, start + minute * 60_000_000_000L);
            while (System.nanoTime() < tick) {
                if (!target.alive()) {
                    problems.add("the target exited: " + target.log().strip());
                    return;
                }
                if (System.nanoTime() >= nextBlackout) {
                    relay.blackoutFor(options.blackoutLength());
                    nextBlackout += options.blackoutEvery().toNanos();
                }
                Thread.sleep(Math.max(1, Math.min(200, (tick - System.nanoTime()) / 1_000_000)));
            }
            double seconds = (System.nanoTime() - lastTick) / 1e9;
            lastTick = System.nanoTime();
            long req = requests.sum();
            long read = bytesRead.sum();
            long written = bytesWritten.sum();
            long retrans = disk.retransmits();
            double cpu = target.cpuSeconds();
            Resources t = Resources.of(target.pid());
            Resources s = Resources.of(ProcessHandle.current().pid());
            if (req == lastRequests) {
                problems.add("minute " + minute + ": no request finished");
            }
            System.out.printf(Locale.ROOT, "%5d %6.0f %11.1f %12.1f %8d %11.1f | %14.1f %4d %4d %4.0f | %12.1f %4d %4d%n",
                    minute, (req - lastRequests) / seconds, (read - lastRead) / seconds / MIB,
                    (written - lastWritten) / seconds / MIB, retrans - lastRetrans, slowestNanos.getAndSet(0) / 1e6,
                    t.rssMib(), t.threads(), t.fds(), 100 * (cpu - lastCpu) / seconds, s.rssMib(), s.threads(), s.fds());
            lastRequests = req;
            lastRead = read;
            lastWritten = written;
            lastRetrans = retrans;
            lastCpu = cpu;
        }
    }

    /** Reads {@code into}'s remaining bytes at {@code position}. */
    private interface Source {
        void read(long position, ByteBuffer into) throws IOException;
    }

    /** Compares every lane's region, as {@code source} reads it, with the model; each difference is a problem. */
    private void verify(String what, Source source, List<Lane> lanes) {
        ByteBuffer buffer = ByteBuffer.allocate(MIB);
        for (Lane lane : lanes) {
            for (int at = 0; at < lane.model.length; at += MIB) {
                int n = Math.min(MIB, lane.model.length - at);
                buffer.clear().limit(n);
                try {
                    source.read(lane.base + at, buffer);
                } catch (IOException e) {
                    problems.add(what + ": reading " + (lane.base + at) + ": " + e.getMessage());
                    return;
                }
                if (Arrays.mismatch(buffer.array(), 0, n, lane.model, at, at + n) >= 0) {
                    mismatches.increment();
                    problems.add(what + ": bytes at " + (lane.base + at) + " differ from the model");
                }
            }
        }
    }

    /** One region of the disk and the one request at a time that works on it. */
    private final class Lane {
        final int index;
        final long base;
        final byte[] model;
        final AoeDevice disk;
        final ExecutorService checker;
        final CountDownLatch finished;
        final Random random;
        final ByteBuffer buffer = ByteBuffer.allocate(MAX_SECTORS * 512);
        long serial;

        Lane(int index, long base, int length, AoeDevice disk, ExecutorService checker, CountDownLatch finished) {
            this.index = index;
            this.base = base;
            this.model = new byte[length];
            this.disk = disk;
            this.checker = checker;
            this.finished = finished;
            this.random = new Random(options.faults().seed() * 1000 + index);
        }

        void next() {
            if (stopping) {
                finished.countDown();
                return;
            }
            int sectors = 1 + random.nextInt(random.nextBoolean() ? 8 : MAX_SECTORS);
            int at = 512 * random.nextInt(model.length / 512 - sectors + 1);
            int length = sectors * 512;
            boolean write = random.nextInt(10) < 3;
            buffer.clear().limit(length);
            if (write) {
                fill(length);
            }
            long started = System.nanoTime();
            var request = write ? disk.writeAsync(base + at, buffer) : disk.readAsync(base + at, buffer);
            request.whenCompleteAsync((v, failure) -> {
                slowestNanos.accumulateAndGet(System.nanoTime() - started, Math::max);
                requests.increment();
                if (write) {
                    written(at, length, failure);
                } else {
                    read(at, length, failure);
                }
                next();
            }, checker);
        }

        private void fill(int length) {
            serial++;
            for (int i = 0; i < length; i += 8) {
                buffer.putLong(i, (long) index << 48 ^ serial << 20 ^ i);
            }
        }

        private void written(int at, int length, Throwable failure) {
            if (failure == null) {
                System.arraycopy(buffer.array(), 0, model, at, length);
                bytesWritten.add(length);
                return;
            }
            failedWrites.increment();
            buffer.clear().limit(length);
            try {
                disk.read(base + at, buffer);
                System.arraycopy(buffer.array(), 0, model, at, length);
            } catch (IOException e) {
                problems.add("lane " + index + ": a write failed (" + failure.getMessage() + ") and reading it back too ("
                        + e.getMessage() + "); the soak stops");
                stopping = true;
            }
        }

        private void read(int at, int length, Throwable failure) {
            if (failure != null) {
                failedReads.increment();
                problems.add("lane " + index + ": a read failed: " + failure.getMessage());
                return;
            }
            bytesRead.add(length);
            int differs = Arrays.mismatch(buffer.array(), 0, length, model, at, at + length);
            if (differs >= 0) {
                mismatches.increment();
                problems.add(String.format(Locale.ROOT, "lane %d: %d bytes read at %d differ from the model at byte %d",
                        index, length, base + at, differs));
            }
        }
    }

    /** Resident memory, threads and open files of a process, from /proc. */
    record Resources(double rssMib, int threads, int fds) {
        static Resources of(long pid) throws IOException {
            double rss = 0;
            int threads = 0;
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
                } else if (line.startsWith("Threads:")) {
                    threads = Integer.parseInt(line.replaceAll("\\D", ""));
                }
            }
            try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
                return new Resources(rss, threads, (int) fds.count());
            }
        }
    }
}
