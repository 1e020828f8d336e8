package dev.aoe.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A Linux guest under QEMU (TCG, one vCPU, 512 MiB) in a test namespace, its virtio NIC on the
 * namespace's tap and its serial console on our stdin/stdout. {@code panic=-1} with
 * {@code -no-reboot} makes a panic end QEMU; the guest ends a good run with {@code poweroff -f}.
 */
public final class QemuGuest implements AutoCloseable {

    public static final String GUEST_MAC = "52:54:00:12:34:56";

    private final Process process;
    private final List<String> console = new ArrayList<>();
    private final Thread reader;

    private QemuGuest(Process process) {
        this.process = process;
        this.reader = new Thread(this::read, "qemu-console");
        reader.setDaemon(true);
        reader.start();
    }

    /** Boots {@code kernel} with {@code initrd} and the command line (console=ttyS0 panic=-1 are added). */
    public static QemuGuest boot(NetworkNamespace ns, Path kernel, Path initrd, String append)
            throws IOException {
        return boot(ns, kernel, initrd, append, List.of());
    }

    /** The same with raw disk images attached as virtio disks (/dev/vda, /dev/vdb, ...). */
    public static QemuGuest boot(NetworkNamespace ns, Path kernel, Path initrd, String append, List<Path> disks)
            throws IOException {
        Path qemu = Prerequisites.requireCommand("qemu-system-x86_64", "qemu-system-x86");
        List<String> command = new ArrayList<>(List.of(ns.exec(qemu.toString(), "-accel", "tcg", "-cpu", "qemu64",
                "-smp", "1", "-m", "512", "-nodefaults", "-display", "none", "-monitor", "none", "-no-reboot",
                "-serial", "stdio", "-kernel", kernel.toString(), "-initrd", initrd.toString(),
                "-append", "console=ttyS0 panic=-1 " + append,
                "-netdev", "tap,id=n0,ifname=" + ns.inside() + ",script=no,downscript=no",
                "-device", "virtio-net-pci,netdev=n0,mac=" + GUEST_MAC + ",romfile=")));
        for (Path disk : disks) {
            command.add("-drive");
            command.add("file=" + disk + ",format=raw,if=virtio");
        }
        return new QemuGuest(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                synchronized (console) {
                    console.add(line);
                    console.notifyAll();
                }
            }
        } catch (IOException ignored) {
            // QEMU ended
        } finally {
            synchronized (console) {
                console.notifyAll();
            }
        }
    }

    /**
     * Waits until a console line matches, QEMU ends, or the time is up; returns the line or null.
     * Each console line wakes the wait, so nothing here sleeps.
     */
    public String await(Predicate<String> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        synchronized (console) {
            while (true) {
                for (; seen < console.size(); seen++) {
                    if (match.test(console.get(seen))) {
                        return console.get(seen);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && !reader.isAlive())) {
                    return null;
                }
                TimeUnit.NANOSECONDS.timedWait(console, Math.min(left, TimeUnit.MILLISECONDS.toNanos(500)));
            }
        }
    }

    /** Types a line into the serial console (a shell in the guest reads it). */
    public void send(String line) throws IOException {
        process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
    }

    /** Waits for QEMU to exit; true when it did in time. */
    public boolean awaitExit(Duration timeout) throws InterruptedException {
        boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        reader.join(5000);
        return exited;
    }

    public List<String> console() {
        synchronized (console) {
            return List.copyOf(console);
        }
    }

    /** The console, for assertion messages. */
    public String transcript() {
        return String.join("\n", console());
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
