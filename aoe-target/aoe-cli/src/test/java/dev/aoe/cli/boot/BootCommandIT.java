package dev.aoe.cli.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aoe.boot.BootImages;
import dev.aoe.boot.BootImages.MarkerRoot;
import dev.aoe.boot.BootNetwork;
import dev.aoe.testing.Prerequisites;
import dev.aoe.testing.Processes;
import dev.aoe.testing.TargetProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./aoe boot} as a user runs it, the shaded jar in its own JVM: a direct boot over UDP as an
 * unprivileged user, and the ways a boot goes wrong, each one clear line and nothing left behind (no
 * tap, no QEMU, no dnsmasq; the work directory only after a failure).
 */
class BootCommandIT {

    static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

    @TempDir
    Path dir;

    /** A running or finished command: its output as it comes, line by line. */
    static final class Command {
        final Process process;
        final List<String> out = new ArrayList<>();
        final List<String> err = new ArrayList<>();
        private final List<Thread> drains = new ArrayList<>();

        Command(List<String> command) throws IOException {
            process = new ProcessBuilder(command).start();
            process.getOutputStream().close();
            drain(process.getInputStream(), out);
            drain(process.getErrorStream(), err);
        }

        private void drain(InputStream in, List<String> into) {
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        synchronized (this) {
                            into.add(line);
                            notifyAll();
                        }
                    }
                } catch (IOException e) {
                    // the command ended
                }
            });
            t.setDaemon(true);
            t.start();
            drains.add(t);
        }

        /** The first stdout line matching, waiting for it as it is printed; null when the command ends first. */
        synchronized String awaitOut(Pattern p, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            for (int seen = 0; ; ) {
                for (; seen < out.size(); seen++) {
                    if (p.matcher(out.get(seen)).find()) {
                        return out.get(seen);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || !process.isAlive() && drains.stream().noneMatch(Thread::isAlive)) {
                    return null;
                }
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.SECONDS.toNanos(1)));
            }
        }

        int exit() throws InterruptedException {
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("aoe boot did not end: " + out + err);
            }
            for (Thread t : drains) {
                t.join(5000);
            }
            return process.exitValue();
        }

        synchronized String out() {
            return String.join("\n", out);
        }

        synchronized String err() {
            return String.join("\n", err);
        }
    }

    static List<String> boot(Path jar, String... args) {
        List<String> c = new ArrayList<>(List.of(JAVA.toString(), "-jar", jar.toString(), "boot"));
        c.addAll(List.of(args));
        return c;
    }

    static List<String> boot(String... args) {
        return boot(TargetProcess.jar(), args);
    }

    /** The work directory the command named, which a failure keeps: it must exist, and nothing may still use it. */
    static Path keptWorkDir(Command c) throws Exception {
        Matcher m = Pattern.compile("work directory kept: (\\S+)").matcher(c.err());
        assertThat(m.find()).as(c.err()).isTrue();
        Path work = Path.of(m.group(1));
        assertThat(work).isDirectory();
        assertNothingRunsFrom(work);
        Processes.check("rm", "-rf", work.toString());
        return work;
    }

    static void assertNothingRunsFrom(Path work) {
        assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(work.toString())))
                .as("processes using " + work).isEmpty();
    }

    @Test
    void directBootOverUdpAsAnUnprivilegedUser() throws Exception {
        Prerequisites.requireRoot();   // to become nobody
        Prerequisites.requireCommand("runuser", "util-linux");
        BootImages.requireQemu(BootNetwork.UDP);
        BootImages.kernel();   // fetched by root into the shared cache, where other users find it
        Path home = Files.createTempDirectory(Path.of("/tmp"), "aoet-nobody-");
        try {
            UserPrincipal nobody = home.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
            Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
            MarkerRoot root = BootImages.markerRoot(home, 21);
            Files.setOwner(root.image(), nobody);
            Path jar = Files.copy(TargetProcess.jar(), home.resolve("aoe-cli.jar"));
            List<String> command = new ArrayList<>(List.of("runuser", "-u", "nobody", "--", "env", "HOME=" + home));
            command.addAll(boot(jar, "--image", root.image().toString(), "--expect", "AOE-MARKER-DONE", "--timeout", "3m"));
            Command c = new Command(command);
            assertThat(c.exit()).as(c.out() + "\n" + c.err()).isZero();
            assertThat(c.out()).as("no root: the udp network by default")
                    .contains("booting (direct over udp)", "target up e0.1 on udp:", "kernel started",
                            "initramfs found e0.1 (131072 sectors)", "root mounted /dev/etherd/e0.1", root.marker(),
                            "expected line seen /AOE-MARKER-DONE/");
            assertThat(BootImages.readExt4File(root.image(), "/written.txt")).isEqualTo(BootImages.WRITTEN);
            assertThat(c.out()).doesNotContain("work directory kept");
        } finally {
            Processes.check("rm", "-rf", home.toString());
        }
    }

    @Test
    void aDiskWithoutABootLoaderEndsWithIpxesMessage() throws Exception {
        BootImages.requireQemu(BootNetwork.UDP);
        Path zeros = Files.write(dir.resolve("zeros.img"), new byte[8 << 20]);
        Command c = new Command(boot("--boot", "sanboot", "--net", "udp", "--image", zeros.toString(), "--quiet"));
        assertThat(c.exit()).as(c.err()).isEqualTo(1);
        assertThat(c.err().lines().findFirst()).hasValueSatisfying(l -> assertThat(l)
                .startsWith("aoe boot: the guest gave up: Boot from SAN device 0x80 failed: Input/output error"));
        assertThat(c.err()).contains("reached: target up", "iPXE attached", "not reached: kernel started",
                "to rerun it by hand", "qemu-system-x86_64 ");
        keptWorkDir(c);
    }

    @Test
    void theTimeoutEndsWithTheConsoleTail() throws Exception {
        BootImages.requireQemu(BootNetwork.UDP);
        BootImages.kernel();
        MarkerRoot root = BootImages.markerRoot(dir, 22);
        Command c = new Command(boot("--net", "udp", "--image", root.image().toString(), "--append", "init=/bin/sh",
                "--expect", "NEVER-PRINTED", "--timeout", "8s", "--quiet"));
        assertThat(c.exit()).as(c.err()).isEqualTo(1);
        assertThat(c.err().lines().findFirst()).hasValue("aoe boot: the console showed no /NEVER-PRINTED/ within 8 s");
        assertThat(c.err()).contains("the last 30 console lines:", "  | [").contains("reached: target up");
        keptWorkDir(c);
    }

    @Test
    void withoutQemuOneLineAndNothingStarted() throws Exception {
        Path kernel = Files.write(dir.resolve("vmlinuz"), new byte[16]);
        Path initrd = Files.write(dir.resolve("initrd.img"), new byte[16]);
        Path image = Files.write(dir.resolve("root.img"), new byte[1 << 16]);
        List<String> command = new ArrayList<>(List.of("env", "PATH=" + dir));
        command.addAll(boot("--net", "udp", "--image", "e0.1=" + image, "--kernel", kernel.toString(), "--initrd",
                initrd.toString(), "--append", "root=/dev/etherd/e0.1"));
        Command c = new Command(command);
        assertThat(c.exit()).isEqualTo(1);
        assertThat(c.err()).isEqualTo("aoe boot: qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)");
        assertThat(c.out()).isEmpty();
    }

    /**
     * SIGINT while the firmware loads the kernel over TFTP: QEMU, dnsmasq and the tap go, and the work
     * directory too. (env --default-signal: a shell that started the build in the background may have left
     * SIGINT ignored, and the JVM keeps an ignored SIGINT ignored.)
     */
    @Test
    void sigintRemovesEverything() throws Exception {
        BootImages.requireQemu(BootNetwork.TAP);
        BootImages.kernel();
        MarkerRoot root = BootImages.markerRoot(dir, 23);
        List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT"));
        command.addAll(boot("--boot", "pxe", "--net", "tap", "--image", root.image().toString(), "--quiet"));
        Command c = new Command(command);
        String started = c.awaitOut(Pattern.compile("booting \\("), Duration.ofMinutes(2));
        assertThat(started).as(c.err()).isNotNull();
        Matcher m = Pattern.compile("over tap (\\S+)\\), work directory (\\S+)").matcher(started);
        assertThat(m.find()).isTrue();
        String tap = m.group(1);
        Path work = Path.of(m.group(2));
        assertThat(c.awaitOut(Pattern.compile("TFTP sent vmlinuz"), Duration.ofMinutes(2))).as(c.out()).isNotNull();
        List<ProcessHandle> children = c.process.descendants().toList();
        assertThat(children).extracting(p -> p.info().command().orElse(""))
                .anyMatch(s -> s.endsWith("qemu-system-x86_64")).anyMatch(s -> s.endsWith("dnsmasq"));

        Processes.check("kill", "-INT", Long.toString(c.process.pid()));
        assertThat(c.exit()).isEqualTo(130);
        assertThat(c.err()).contains("aoe boot: interrupted; QEMU stopped and everything the boot set up removed");
        assertThat(children).noneMatch(ProcessHandle::isAlive);
        assertThat(Path.of("/sys/class/net", tap)).as("the tap").doesNotExist();
        assertThat(work).as("the work directory").doesNotExist();
        assertNothingRunsFrom(work);
    }
}
