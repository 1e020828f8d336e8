package dev.aoe.boot;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Debian's kernel, the default a boot uses: the package {@code linux-image-amd64} depends on, fetched
 * with {@code apt-get download} and unpacked with {@code dpkg -x} into a cache, never installed into
 * the host's /boot. The .deb ships no modules.dep, so {@code depmod -b} runs on the unpacked tree; the
 * ELF vmlinux is pulled out of the bzImage for QEMU's faster PVH entry (no decompression under TCG).
 *
 * <p>The cache is {@code $AOE_TEST_CACHE}, else {@code /var/cache/aoe-test} for root and
 * {@code ~/.cache/aoe} for other users, who also use a kernel root has already unpacked.
 *
 * @param vmlinuz the bzImage (what firmware and iPXE boot)
 * @param vmlinux the ELF kernel (what QEMU's {@code -kernel} boots through PVH)
 */
public record DebianKernel(String version, Path root, Path vmlinuz, Path vmlinux) {

    static final Path SYSTEM_CACHE = Path.of("/var/cache/aoe-test");
    private static final String REMEMBERED = "linux-image-amd64.depends";
    private static final byte[] XZ_MAGIC = {(byte) 0xFD, '7', 'z', 'X', 'Z', 0};

    /** Where this user's kernels are unpacked. */
    public static Path cache() {
        String configured = System.getenv("AOE_TEST_CACHE");
        if (configured != null && !configured.isEmpty()) {
            return Path.of(configured);
        }
        if (HostCommand.isRoot()) {
            return SYSTEM_CACHE;
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("aoe");
    }

    /**
     * The current Debian kernel, downloaded and unpacked on first use (about 70 MB).
     *
     * @throws BootException when apt, dpkg, kmod or xz is missing or the download fails
     */
    public static synchronized DebianKernel get() {
        String pkg = packageName();
        if (pkg == null) {
            DebianKernel cached = newestCached();
            if (cached != null) {
                return cached;
            }
            throw new BootException(BootException.Reason.ENVIRONMENT, "apt knows no linux-image-amd64"
                    + (HostCommand.isRoot() ? "" : " (run apt-get update as root)")
                    + "; give --kernel FILE and --initrd FILE to boot without Debian's kernel");
        }
        String version = pkg.substring("linux-image-".length());
        for (Path cache : List.of(SYSTEM_CACHE, cache())) {   // root's copy serves every user
            DebianKernel k = unpacked(cache.resolve("kernel").resolve(version), version);
            if (k != null) {
                return k;
            }
        }
        return fetch(pkg, version);
    }

    /**
     * linux-image-6.1.0-N-amd64, as linux-image-amd64 depends on it; null when apt cannot say. apt's answer
     * is remembered for a day beside the kernels, since asking takes seconds on a busy machine.
     */
    private static String packageName() {
        for (Path cache : List.of(cache(), SYSTEM_CACHE)) {
            Path remembered = cache.resolve("kernel").resolve(REMEMBERED);
            try {
                if (Files.getLastModifiedTime(remembered).toInstant().isAfter(Instant.now().minus(Duration.ofDays(1)))) {
                    return Files.readString(remembered).strip();
                }
            } catch (IOException e) {
                // not remembered here
            }
        }
        if (HostCommand.find("apt-cache") == null) {
            return null;
        }
        String depends = dependsOfMetaPackage();
        if (depends == null && HostCommand.isRoot() && HostCommand.find("apt-get") != null) {
            try {
                HostCommand.run("apt-get", "update", "-qq");   // empty package lists on a fresh machine
            } catch (BootException e) {
                return null;
            }
            depends = dependsOfMetaPackage();
        }
        if (depends != null) {
            try {
                Files.writeString(Files.createDirectories(cache().resolve("kernel")).resolve(REMEMBERED), depends + "\n");
            } catch (IOException e) {
                // asked again next time
            }
        }
        return depends;
    }

    private static String dependsOfMetaPackage() {
        try {
            return HostCommand.run("apt-cache", "depends", "linux-image-amd64").lines().map(String::trim)
                    .filter(l -> l.startsWith("Depends: linux-image-")).map(l -> l.substring("Depends: ".length()))
                    .findFirst().orElse(null);
        } catch (BootException e) {
            return null;
        }
    }

    private static DebianKernel unpacked(Path dir, String version) {
        Path vmlinux = dir.resolve("vmlinux");
        Path vmlinuz = dir.resolve("boot/vmlinuz-" + version);
        return Files.isReadable(vmlinux) && Files.isReadable(vmlinuz) ? new DebianKernel(version, dir, vmlinuz, vmlinux)
                : null;
    }

    /** Without apt's answer (offline, not Debian): the newest kernel any cache holds. */
    private static DebianKernel newestCached() {
        for (Path cache : List.of(cache(), SYSTEM_CACHE)) {
            Path kernels = cache.resolve("kernel");
            if (!Files.isDirectory(kernels)) {
                continue;
            }
            try (Stream<Path> dirs = Files.list(kernels)) {
                DebianKernel k = dirs.filter(Files::isDirectory).sorted(Comparator.reverseOrder())
                        .map(d -> unpacked(d, d.getFileName().toString())).filter(x -> x != null).findFirst().orElse(null);
                if (k != null) {
                    return k;
                }
            } catch (IOException e) {
                // an unreadable cache holds nothing for us
            }
        }
        return null;
    }

    private static DebianKernel fetch(String pkg, String version) {
        for (String[] tool : new String[][] {{"apt-get", "apt"}, {"dpkg", "dpkg"}, {"depmod", "kmod"}, {"xz", "xz-utils"}}) {
            HostCommand.require(tool[0], tool[1]);
        }
        try {
            Path kernels = Files.createDirectories(cache().resolve("kernel"));
            Path deb = findDeb(kernels, pkg);
            if (deb == null) {
                HostCommand.run(kernels, List.of("apt-get", "download", "-q", pkg));
                deb = findDeb(kernels, pkg);
                if (deb == null) {
                    throw new BootException(BootException.Reason.ENVIRONMENT, "apt-get download " + pkg + " left no .deb");
                }
            }
            Path dir = kernels.resolve(version);
            Path staging = kernels.resolve(version + ".partial");
            HostCommand.run("rm", "-rf", staging.toString());
            Files.createDirectories(staging);
            HostCommand.run("dpkg", "-x", deb.toString(), staging.toString());
            HostCommand.run("depmod", "-b", staging.toString(), version);
            extractVmlinux(staging.resolve("boot/vmlinuz-" + version), staging.resolve("vmlinux"));
            HostCommand.run("rm", "-rf", dir.toString());
            Files.move(staging, dir);
            return unpacked(dir, version);
        } catch (IOException e) {
            throw new BootException(BootException.Reason.ENVIRONMENT, "cannot unpack " + pkg + " into " + cache() + ": "
                    + e.getMessage(), e);
        }
    }

    private static Path findDeb(Path dir, String pkg) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith(pkg + "_") && p.toString().endsWith(".deb"))
                    .findFirst().orElse(null);
        }
    }

    /** The bzImage's payload is an xz stream holding the ELF vmlinux, which QEMU boots through its PVH note. */
    private static void extractVmlinux(Path bzImage, Path out) throws IOException {
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
        try {
            xz.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while unpacking " + bzImage);
        }
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

    /** The .ko files of the given modules and their dependencies, dependencies first, each once (kmod's modprobe). */
    public List<Path> modulesInLoadOrder(String... modules) {
        Set<Path> order = new LinkedHashSet<>();
        for (String module : modules) {
            String out = HostCommand.run("modprobe", "-d", root.toString(), "-S", version, "--show-depends", module);
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
