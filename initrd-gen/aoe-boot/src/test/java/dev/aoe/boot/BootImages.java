package dev.aoe.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.hash.Hashing;
import dev.aoe.testing.Prerequisites;
import dev.aoe.testing.Processes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What the boot tests boot: Debian's kernel (skipping without the tools to fetch it), ext4 roots whose
 * /sbin/init prints a checksum, writes a file and powers off, and a hand-built initramfs (static busybox,
 * kernel modules, an /init script, packed by GNU cpio) for the test that must not depend on initrd-gen.
 */
public final class BootImages {

    /** TCG boots take 10-30 s on a loaded two-core machine; failures end sooner through {@link BootedVm#GIVES_UP}. */
    public static final Duration BOOT = Duration.ofMinutes(3);
    /** Taps of the tests: aoet is the project's test prefix. */
    public static final String TAP_PREFIX = "aoetb";
    public static final String WRITTEN = "written by the guest\n";

    private BootImages() {
    }

    /** Debian's kernel, fetched once; skips (fails with CI=true) when apt, dpkg, kmod or xz are missing. */
    public static DebianKernel kernel() {
        for (String[] tool : new String[][] {{"apt-get", "apt"}, {"dpkg", "dpkg"}, {"depmod", "kmod"}, {"modprobe", "kmod"},
            {"xz", "xz-utils"}}) {
            Prerequisites.requireCommand(tool[0], tool[1]);
        }
        return DebianKernel.get();
    }

    /** QEMU, and root when the test needs a tap; skips otherwise. */
    public static void requireQemu(BootNetwork network) {
        Prerequisites.requireCommand("qemu-system-x86_64", "qemu-system-x86");
        if (network == BootNetwork.TAP) {
            Prerequisites.requireRoot();
            Prerequisites.requireCommand("ip", "iproute2");
        }
    }

    public static String resource(String name) throws IOException {
        try (InputStream in = BootImages.class.getResourceAsStream("/guest/" + name)) {
            if (in == null) {
                throw new IOException("missing test resource /guest/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    public static Path staticBusybox() {
        Path busybox = Prerequisites.findCommand("busybox");
        Prerequisites.require(busybox != null, "busybox (apt-get install busybox-static)");
        String file = Processes.runQuietly("file", "-L", busybox.toString());
        Prerequisites.require(file == null || file.contains("statically linked"),
                "a static busybox (apt-get install busybox-static), not " + busybox);
        return busybox;
    }

    /** A root whose /sbin/init prints {@code AOE-MARKER sha256=} of /data.bin, writes /written.txt and powers off. */
    public record MarkerRoot(Path image, String checksum) {

        /** The marker line the guest prints. */
        public String marker() {
            return "AOE-MARKER sha256=" + checksum;
        }
    }

    public static MarkerRoot markerRoot(Path dir, long seed) throws IOException, InterruptedException {
        byte[] data = new byte[1 << 20];
        new Random(seed).nextBytes(data);
        Path image = ext4Root(dir, 64, Map.of("data.bin", data,
                "sbin/init", resource("root-init.sh").getBytes(StandardCharsets.UTF_8),
                "hello.txt", "hello from the AoE root\n".getBytes(StandardCharsets.UTF_8)));
        return new MarkerRoot(image, Hashing.sha256().hashBytes(data).toString());
    }

    /**
     * Waits for the root's marker with the right checksum, then for it to sync and power off; checks that
     * every milestone the boot promises was reached.
     */
    public static void bootsToTheMarker(BootedVm vm, MarkerRoot root) throws InterruptedException {
        assertThat(vm.awaitConsole("AOE-MARKER sha256=", BOOT)).as(vm.transcript()).isEqualTo(root.marker());
        assertThat(vm.awaitConsole("AOE-MARKER-DONE", BOOT)).isNotNull();
        assertThat(vm.awaitExit(Duration.ofSeconds(60))).as("the guest powers off").isTrue();
        assertThat(kinds(vm)).as(vm.milestones().toString()).containsAll(vm.expectedMilestones());
    }

    public static List<Milestone.Kind> kinds(BootedVm vm) {
        return vm.milestones().stream().map(Milestone::kind).toList();
    }

    /**
     * An initramfs with busybox, the modules (loaded by /init in this order; a module named aoe.ko is
     * kept apart for /init to load last with its parameters) and the /init script.
     */
    public static Path initramfs(Path dir, List<Path> modules, String init) throws IOException, InterruptedException {
        Prerequisites.requireCommand("cpio", "cpio");
        Path tree = Files.createDirectories(dir.resolve("initramfs"));
        for (String d : new String[] {"bin", "lib/modules", "proc", "sys", "dev", "newroot"}) {
            Files.createDirectories(tree.resolve(d));
        }
        Files.copy(staticBusybox(), tree.resolve("bin/busybox"));
        int n = 0;
        for (Path ko : modules) {
            String name = ko.getFileName().toString();
            Path target = name.equals("aoe.ko") ? tree.resolve("lib/modules/aoe.ko")
                    : tree.resolve(String.format("lib/modules/%02d-%s", ++n, name));
            Files.copy(ko, target);
        }
        executable(tree.resolve("init"), init);
        Path image = dir.resolve("initramfs.cpio.gz");
        Processes.check("sh", "-c", "cd '" + tree + "' && find . | sort | cpio -o -H newc -R 0:0 --quiet | gzip -9 > '"
                + image + "'");
        return image;
    }

    /** An ext4 image of {@code sizeMiB} holding busybox, the given files and directories every root needs. */
    public static Path ext4Root(Path dir, int sizeMiB, Map<String, byte[]> files) throws IOException, InterruptedException {
        return ext4Root(dir, sizeMiB, files, List.of());
    }

    /** The same, with more mke2fs options ({@code -E lazy_itable_init=0}, say). */
    public static Path ext4Root(Path dir, int sizeMiB, Map<String, byte[]> files, List<String> mke2fsOptions)
            throws IOException, InterruptedException {
        Prerequisites.requireCommand("mke2fs", "e2fsprogs");
        Path tree = Files.createDirectories(dir.resolve("rootfs"));
        for (String d : new String[] {"bin", "sbin", "proc", "sys", "dev", "tmp"}) {
            Files.createDirectories(tree.resolve(d));
        }
        Files.copy(staticBusybox(), tree.resolve("bin/busybox"));
        Files.createSymbolicLink(tree.resolve("bin/sh"), Path.of("busybox"));
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Path p = tree.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, f.getValue());
            if (f.getKey().startsWith("sbin/") || f.getKey().startsWith("bin/")) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        }
        Path image = dir.resolve("root.img");
        List<String> command = new ArrayList<>(List.of("mke2fs", "-q", "-F", "-t", "ext4"));
        command.addAll(mke2fsOptions);
        command.addAll(List.of("-d", tree.toString(), image.toString(), sizeMiB + "M"));
        Processes.check(command.toArray(String[]::new));
        return image;
    }

    /** A file of the ext4 image, read on the host with debugfs, or null when it does not exist. */
    public static String readExt4File(Path image, String path) throws IOException, InterruptedException {
        return readExt4File(image, 0, path);
    }

    /** The same for a file system at {@code offset} bytes into the image (a partition). */
    public static String readExt4File(Path image, long offset, String path) throws IOException, InterruptedException {
        Prerequisites.requireCommand("debugfs", "e2fsprogs");
        Process p = new ProcessBuilder("debugfs", "-R", "cat " + path, image + (offset > 0 ? "?offset=" + offset : ""))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out.isEmpty() ? null : out;
    }

    private static void executable(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
