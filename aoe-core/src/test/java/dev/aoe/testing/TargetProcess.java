package dev.aoe.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./aoe target} as a separate process inside a test namespace: the shaded jar that
 * {@code mvn package} built (its path in the system property {@code aoe.target.jar}, which the
 * modules' failsafe configuration sets), started with {@code ip netns exec}. Ready once it has printed one line
 * per export; stopped with SIGTERM, as a user would.
 */
public final class TargetProcess implements AutoCloseable {

    private final Process process;
    private final List<String> output = new ArrayList<>();
    private Thread drain;

    private TargetProcess(Process process) {
        this.process = process;
    }

    public static Path jar() {
        Path jar = Path.of(System.getProperty("aoe.cli.jar", "target/none.jar"));
        if (!Files.exists(jar)) {
            throw new IllegalStateException("run through 'mvn verify': the shaded jar " + jar + " is missing");
        }
        return jar;
    }

    public static TargetProcess start(NetworkNamespace ns, int exports, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(ns.exec(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", jar().toString(), "target")));
        command.addAll(List.of(args));
        return start(command, exports);
    }

    /** Any command that runs {@code aoe target} (an installed {@code aoe}, say), ready once it printed each export. */
    public static TargetProcess start(List<String> command, int exports) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        TargetProcess t = new TargetProcess(p);
        BufferedReader reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        int ready = 0;
        while (ready < exports) {
            String line = reader.readLine();
            if (line == null) {
                throw new IOException("target exited before it was ready: " + t.output);
            }
            t.output.add(line);
            if (line.matches("e\\d+\\.\\d+: .*sectors per frame.*")) {
                ready++;
            }
        }
        t.drain = new Thread(() -> {
            try {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    synchronized (t.output) {
                        t.output.add(line);
                    }
                }
            } catch (IOException ignored) {
                // process ended
            }
        });
        t.drain.setDaemon(true);
        t.drain.start();
        return t;
    }

    public List<String> output() {
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    /** SIGKILL: the target dies at once, as in a crash; waits until it is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
        if (drain != null) {
            drain.join(5000);
        }
    }

    /** SIGTERM, then the exit code (the target flushes and prints its statistics first). */
    public int stop() throws InterruptedException {
        process.toHandle().destroy();   // SIGTERM; Process.destroy() would also close our end of its output
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("target did not stop on SIGTERM: " + output());
        }
        drain.join(5000);   // everything it printed is in output() now
        return process.exitValue();
    }

    public boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
