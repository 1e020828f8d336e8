package dev.aoe.boot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Finds and runs the short host programs a boot needs (ip, mkfs.vfat, apt-get), failing with one line. */
final class HostCommand {

    private HostCommand() {
    }

    /** A program on PATH (or in /usr/sbin, /sbin, where root's tools live), or null. */
    static Path find(String name) {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return Path.of(dir, name);
            }
        }
        return null;
    }

    /** A program, or {@link BootException.Reason#ENVIRONMENT} naming the Debian package that has it. */
    static Path require(String name, String debianPackage) {
        Path p = find(name);
        if (p == null) {
            throw new BootException(BootException.Reason.ENVIRONMENT,
                    name + " is not installed (apt-get install " + debianPackage + ")");
        }
        return p;
    }

    /** Runs a command to its end (at most two minutes) in {@code dir} (null: here); returns its output. */
    static String run(Path dir, List<String> command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new BootException(BootException.Reason.ENVIRONMENT, String.join(" ", command) + " did not finish");
            }
            if (p.exitValue() != 0) {
                String first = out.lines().filter(l -> !l.isBlank()).findFirst().orElse("no output");
                throw new BootException(BootException.Reason.ENVIRONMENT,
                        String.join(" ", command) + " failed (exit " + p.exitValue() + "): " + first.trim());
            }
            return out;
        } catch (IOException e) {
            throw new BootException(BootException.Reason.ENVIRONMENT, "cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BootException(BootException.Reason.ENVIRONMENT, "interrupted while running " + command.get(0), e);
        }
    }

    static String run(String... command) {
        return run(null, List.of(command));
    }

    /** Whether this process runs as root (uid 0), which a tap and dnsmasq need. */
    static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }
}
