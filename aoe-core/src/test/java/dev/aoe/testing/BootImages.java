package dev.aoe.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/**
 * Hand-built boot images for the QEMU tests: an initramfs (static busybox, kernel modules, an /init
 * script; packed by GNU cpio) and an ext4 root image (mke2fs -d). initrd-gen builds the real thing.
 */
public final class BootImages {

    private BootImages() {
    }

    public static String resource(String name) throws IOException {
        try (InputStream in = BootImages.class.getResourceAsStream("/guest/" + name)) {
            if (in == null) {
                throw new IOException("missing test resource /guest/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    public static Path staticBusybox() throws IOException {
        Path busybox = Prerequisites.findCommand("busybox");
        Prerequisites.require(busybox != null, "busybox (apt-get install busybox-static)");
        String file = Processes.runQuietly("file", "-L", busybox.toString());
        Prerequisites.require(file == null || file.contains("statically linked"),
                "a static busybox (apt-get install busybox-static), not " + busybox);
        return busybox;
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
        Processes.check("mke2fs", "-q", "-F", "-t", "ext4", "-d", tree.toString(), image.toString(), sizeMiB + "M");
        return image;
    }

    /** A file of the ext4 image, read on the host with debugfs, or null when it does not exist. */
    public static String readExt4File(Path image, String path) throws IOException, InterruptedException {
        Prerequisites.requireCommand("debugfs", "e2fsprogs");
        Process p = new ProcessBuilder("debugfs", "-R", "cat " + path, image.toString())
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
