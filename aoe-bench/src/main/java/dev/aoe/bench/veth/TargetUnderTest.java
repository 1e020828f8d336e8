package dev.aoe.bench.veth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An AoE target process serving e0.1 inside the namespace: ours ({@code ./aoe target} with a given
 * link) or Debian's vblade, both with 64 buffers. Its CPU time comes from /proc.
 */
final class TargetUnderTest implements AutoCloseable {

    /** Clock ticks per second of /proc/PID/stat (USER_HZ, 100 on Linux). */
    private static final double USER_HZ = 100;

    private final Process process;
    private final Path log;

    private TargetUnderTest(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * {@code kind}: {@code vblade}, or {@code aoe-LINK} for our target with {@code --link LINK}, or
     * {@code aoe-LINK@MICROS} for that and {@code --busy-poll MICROS}; a suffix {@code /tN} adds
     * {@code --threads N}.
     */
    static TargetUnderTest start(String kind, VethPair pair, Path image) throws IOException {
        return start(kind, pair, image, List.of());
    }

    /** As {@link #start(String, VethPair, Path)}, our target also given {@code options}. */
    static TargetUnderTest start(String kind, VethPair pair, Path image, List<String> options) throws IOException {
        List<String> command = new ArrayList<>();
        if (kind.equals("vblade")) {
            command.addAll(List.of("vblade", "-b", "64", "0", "1", pair.inside(), image.toString()));
        } else if (kind.startsWith("aoe-")) {
            String jar = System.getenv("AOE_TARGET_JAR");
            if (jar == null || !Files.isRegularFile(Path.of(jar))) {
                throw new IllegalStateException("AOE_TARGET_JAR must name aoe-target's -cli.jar (./aoe bench sets it)");
            }
            String[] threads = kind.substring(4).split("/t");
            String[] link = threads[0].split("@");
            command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar,
                    "target", "--link", link[0], "--busy-poll", link.length > 1 ? link[1] : "50",
                    "--threads", threads.length > 1 ? threads[1] : "1"));
            command.addAll(options);
            command.addAll(List.of("-b", "64", "0", "1", pair.inside(), image.toString()));
        } else {
            throw new IllegalArgumentException("unknown target " + kind);
        }
        Path log = Files.createTempFile("aoe-bench-target", ".log");
        Process p = new ProcessBuilder(pair.exec(command)).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        return new TargetUnderTest(p, log);
    }

    long pid() {
        return process.pid();
    }

    /** User plus system CPU seconds the process has used so far, all threads. */
    double cpuSeconds() throws IOException {
        return cpuSeconds(process.pid());
    }

    /** User plus system CPU seconds process {@code pid} has used so far, all threads. */
    static double cpuSeconds(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / USER_HZ;   // fields 14 and 15 of stat
    }

    boolean alive() {
        return process.isAlive();
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.toHandle().destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.toHandle().destroyForcibly();
            process.waitFor();
        }
        Files.deleteIfExists(log);
    }
}
