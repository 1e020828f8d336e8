package dev.aoe.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Debian 12's kernel for the boot tests: the package linux-image-amd64 depends on, fetched with
 * {@code apt-get download} and unpacked with {@code dpkg -x} into a cache, never installed into the
 * host's /boot. The .deb ships no modules.dep, so {@code depmod -b} runs on the unpacked tree; the
 * ELF vmlinux is pulled out of the bzImage for QEMU's faster PVH entry.
 */
public record DebianKernel(String version, Path root, Path vmlinuz, Path vmlinux) {

    public static final Path CACHE = Path.of(System.getenv().getOrDefault("AOE_TEST_CACHE", "/var/cache/aoe-test"));
    private static final byte[] XZ_MAGIC = {(byte) 0xFD, '7', 'z', 'X', 'Z', 0};

    /** Downloads (once per machine) and unpacks the kernel; skips or fails the test when tools are missing. */
    public static synchronized DebianKernel get() throws IOException, InterruptedException {
        Prerequisites.requireRoot();
        for (String[] tool : new String[][] {{"apt-get", "apt"}, {"dpkg", "dpkg"}, {"depmod", "kmod"},
            {"modprobe", "kmod"}, {"xz", "xz-utils"}}) {
            Prerequisites.requireCommand(tool[0], tool[1]);
        }
        Processes.Result lookup = Processes.run(List.of("apt-cache", "depends", "linux-image-amd64"));
        if (lookup.exitCode() != 0 || !lookup.output().contains("Depends: linux-image-")) {
            Processes.run(List.of("apt-get", "update", "-qq"));   // empty package lists on a fresh machine
            lookup = Processes.run(List.of("apt-cache", "depends", "linux-image-amd64"));
        }
        String depends = lookup.output();
        String pkg = depends.lines().map(String::trim).filter(l -> l.startsWith("Depends: linux-image-"))
                .map(l -> l.substring("Depends: ".length())).findFirst()
                .orElseThrow(() -> new IOException("apt-cache knows no linux-image-amd64 (run apt-get update): " + depends));
        String version = pkg.substring("linux-image-".length());
        Path dir = CACHE.resolve("kernel").resolve(version);
        Path vmlinuz = dir.resolve("boot/vmlinuz-" + version);
        Path vmlinux = dir.resolve("vmlinux");
        if (!Files.exists(vmlinux)) {
            Path debs = Files.createDirectories(CACHE.resolve("kernel"));
            Path deb = findDeb(debs, pkg);
            if (deb == null) {
                Processes.Result r = Processes.run(List.of("sh", "-c", "cd '" + debs + "' && apt-get download " + pkg));
                deb = findDeb(debs, pkg);
                if (deb == null) {
                    throw new IOException("apt-get download " + pkg + " failed: " + r.output());
                }
            }
            Path staging = Files.createDirectories(CACHE.resolve("kernel").resolve(version + ".partial"));
            Processes.check("dpkg", "-x", deb.toString(), staging.toString());
            Processes.check("depmod", "-b", staging.toString(), version);
            extractVmlinux(staging.resolve("boot/vmlinuz-" + version), staging.resolve("vmlinux"));
            Processes.check("rm", "-rf", dir.toString());
            Files.move(staging, dir);
        }
        return new DebianKernel(version, dir, vmlinuz, vmlinux);
    }

    private static Path findDeb(Path dir, String pkg) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith(pkg + "_") && p.toString().endsWith(".deb"))
                    .findFirst().orElse(null);
        }
    }

    /** The bzImage's payload is an xz stream holding the ELF vmlinux, which QEMU boots through its PVH note. */
    private static void extractVmlinux(Path bzImage, Path out) throws IOException, InterruptedException {
        byte[] image = Files.readAllBytes(bzImage);
        int at = indexOf(image, XZ_MAGIC);
        if (at < 0) {
            throw new IOException(bzImage + " holds no xz payload");
        }
        Process xz = new ProcessBuilder("xz", "-dc").redirectOutput(out.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (OutputStream in = xz.getOutputStream()) {
            in.write(image, at, image.length - at);
        } catch (IOException trailingBytesRefused) {
            // xz stops reading after the stream; the bytes after it are the bzImage's tail
        }
        xz.waitFor();
        try (InputStream elf = Files.newInputStream(out)) {
            byte[] magic = elf.readNBytes(4);
            if (magic.length < 4 || magic[0] != 0x7F || magic[1] != 'E' || magic[2] != 'L' || magic[3] != 'F') {
                throw new IOException("no ELF kernel came out of " + bzImage);
            }
        }
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    public Path modulesDir() {
        return root.resolve("lib/modules").resolve(version);
    }

    /** The .ko files of the given modules and their dependencies, dependencies first, each once. */
    public List<Path> modulesInLoadOrder(String... modules) throws IOException, InterruptedException {
        Set<Path> order = new LinkedHashSet<>();
        for (String module : modules) {
            String out = Processes.check("modprobe", "-d", root.toString(), "-S", version, "--show-depends", module);
            for (String line : out.lines().toList()) {
                String[] words = line.trim().split("\\s+");
                if (words.length >= 2 && words[0].equals("insmod")) {
                    order.add(Path.of(words[1]));
                }
            }
        }
        return new ArrayList<>(order);
    }
}
