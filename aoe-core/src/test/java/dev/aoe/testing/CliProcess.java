package dev.aoe.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code aoe} command as a process, inside a test namespace: the command line's jar (system
 * property {@code aoe.cli.jar}) run with {@code ip netns exec}; its output and errors are collected.
 */
public final class CliProcess {

    private final Process process;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Thread[] drains;

    private CliProcess(Process process) {
        this.process = process;
        this.drains = new Thread[] {drain(process.getInputStream(), out), drain(process.getErrorStream(), err)};
    }

    private static Thread drain(InputStream in, ByteArrayOutputStream into) {
        Thread t = new Thread(() -> {
            try {
                in.transferTo(into);
            } catch (IOException ignored) {
                // the process ended
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Starts {@code aoe ARGS...} in {@code ns} (or in the host's namespace when it is null). */
    public static CliProcess start(NetworkNamespace ns, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(java(), "-jar", TargetProcess.jar().toString()));
        command.addAll(List.of(args));
        return new CliProcess(new ProcessBuilder(ns == null ? command : List.of(ns.exec(command.toArray(String[]::new))))
                .start());
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Waits for the exit; -1 (and the process killed) when it takes longer than {@code timeout}. */
    public int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor();
            join();
            return -1;
        }
        join();
        return process.exitValue();
    }

    private void join() throws InterruptedException {
        for (Thread t : drains) {
            t.join(5000);
        }
    }

    public Process process() {
        return process;
    }

    public String out() {
        synchronized (out) {
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    public String err() {
        synchronized (err) {
            return err.toString(StandardCharsets.UTF_8);
        }
    }

    /** Sends SIGINT, as Ctrl-C does. */
    public void interrupt() throws IOException, InterruptedException {
        Processes.check("kill", "-INT", Long.toString(process.pid()));
    }
}
