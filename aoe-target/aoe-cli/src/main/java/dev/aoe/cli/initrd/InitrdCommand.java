package dev.aoe.cli.initrd;

import dev.aoe.cli.ByteSizes;
import dev.aoe.cli.CommandFailure;
import dev.aoe.cli.VersionProvider;
import dev.aoe.initrd.InitrdBuilder;
import dev.aoe.initrd.InitrdSpec;
import dev.aoe.initrd.cpio.CpioEntry;
import dev.aoe.initrd.cpio.NewcReader;
import dev.aoe.initrd.image.Compression;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code aoe initrd}: build (or list) an initramfs that boots Linux with its root on AoE. */
@Command(name = "initrd", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Build an initramfs that boots Linux with its root on AoE (or list one).",
            "Its /linuxrc loads the NIC and aoe modules, brings the links up, discovers",
            "the AoE targets and starts RAID/LVM, and whose /init then mounts root= and runs init= as the kernel would.",
            "Boot with root=/dev/etherd/eX.Y[pN] (or any root= on top of AoE devices)."},
        footer = {"", "Examples:",
            "  ./aoe initrd -o aoe.img                                     the running kernel's modules",
            "  ./aoe initrd -o aoe.img --kernel-modules k/lib/modules/6.1.0-56-amd64 --wait e0.1",
            "  ./aoe initrd --list aoe.img"})
public final class InitrdCommand implements Callable<Integer> {

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Where to write the image.")
    Path output;

    @Option(names = "--kernel-modules", paramLabel = "DIR",
            description = "A lib/modules/VERSION tree (default: the running kernel's, /lib/modules/$(uname -r)).")
    Path kernelModules;

    @Option(names = "--module", paramLabel = "NAME",
            description = "A module to load, with its dependencies; repeat (default: virtio_pci virtio_net e1000 e1000e ext4).")
    List<String> modules = new ArrayList<>();

    @Option(names = "--aoe-iface", paramLabel = "IF|MAC", description = "Interface for AoE, by name or MAC; repeat (default: every Ethernet link).")
    List<String> aoeIfaces = new ArrayList<>();

    @Option(names = "--wait", paramLabel = "eX.Y", description = "An AoE device to wait for; repeat (root= on AoE is waited for anyway).")
    List<String> waitDevices = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "S", defaultValue = "30", description = "Seconds to wait for the devices (default: ${DEFAULT-VALUE}).")
    int timeout;

    @Option(names = "--mtu", paramLabel = "BYTES", description = "MTU to set on the AoE interfaces.")
    Integer mtu;

    @Option(names = "--mdadm-conf", paramLabel = "FILE", description = "Ship mdadm with this mdadm.conf and assemble the arrays.")
    Path mdadmConf;

    @Option(names = "--lvm", description = "Ship lvm and activate the volume groups.")
    boolean lvm;

    @Option(names = "--busybox", paramLabel = "PATH", defaultValue = "/bin/busybox",
            description = "A statically linked busybox (default: ${DEFAULT-VALUE}, from busybox-static).")
    Path busybox;

    @Option(names = "--compress", paramLabel = "KIND", defaultValue = "gzip",
            description = "gzip, xz, zstd or none (default: ${DEFAULT-VALUE}).")
    String compress;

    @Option(names = "--config", paramLabel = "FILE", description = "Use FILE as /etc/aoe-initrd.conf instead of the options above.")
    Path config;

    @Option(names = "--list", paramLabel = "IMAGE", description = "Print an image's contents with sizes, then exit.")
    Path list;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (list != null) {
            list(list, out);
            return 0;
        }
        if (output == null) {
            throw new CommandFailure("give -o FILE (or --list IMAGE)", 2);
        }
        Compression compression;
        try {
            compression = Compression.valueOf(compress.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CommandFailure("--compress " + compress + ": use gzip, xz, zstd or none", 2);
        }
        for (String d : waitDevices) {
            if (!d.matches("e\\d+\\.\\d+")) {
                throw new CommandFailure("--wait " + d + " is not a device like e0.1", 2);
            }
        }
        Path modulesDir = kernelModules != null ? kernelModules : Path.of("/lib/modules", System.getProperty("os.version"));
        long mtime = Long.parseLong(System.getenv().getOrDefault("SOURCE_DATE_EPOCH", "0"));
        InitrdSpec initrd = new InitrdSpec(modulesDir, modules, aoeIfaces, waitDevices, timeout, mtu, mdadmConf, lvm,
                busybox, config, compression, mtime);
        Path parent = output.toAbsolutePath().getParent();
        Path temp;
        try {
            temp = Files.createTempFile(parent, ".aoe-initrd", ".tmp");
        } catch (NoSuchFileException | AccessDeniedException e) {
            throw new CommandFailure("cannot write " + output + ": " + (e instanceof NoSuchFileException
                    ? "no such directory " + parent : "permission denied"));
        }
        InitrdBuilder.Result result;
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(temp), 1 << 16)) {
            result = InitrdBuilder.build(initrd, o);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw new CommandFailure(e.getMessage());
        }
        Files.move(temp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        result.warnings().forEach(w -> spec.commandLine().getErr().println("aoe initrd: warning: " + w));
        var r = result.report();
        out.printf(Locale.ROOT, "%s: %d entries (%d files, %d modules), %s raw, %s %s (%d bytes)%n", output, r.entries(),
                r.files(), result.modules().size(), ByteSizes.format(r.rawBytes()), ByteSizes.format(r.compressedBytes()),
                compression.name().toLowerCase(Locale.ROOT), r.compressedBytes());
        out.flush();
        return 0;
    }

    private static void list(Path image, PrintWriter out) throws IOException {
        List<CpioEntry> entries;
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(image))) {
            raw.mark(8);
            byte[] head = raw.readNBytes(6);
            raw.reset();
            entries = NewcReader.readAll(Compression.detect(head).unwrap(raw));
        } catch (NoSuchFileException e) {
            throw new CommandFailure(image + ": no such file");
        }
        long total = 0;
        for (CpioEntry e : entries) {
            String kind = switch (e.type()) {
                case DIRECTORY -> "d";
                case SYMLINK -> "l";
                case CHAR_DEVICE -> "c";
                case BLOCK_DEVICE -> "b";
                case FILE -> "-";
            };
            String extra = e.type() == CpioEntry.Type.SYMLINK ? " -> " + new String(e.data())
                    : e.type() == CpioEntry.Type.CHAR_DEVICE ? " (" + e.rdevMajor() + "," + e.rdevMinor() + ")" : "";
            out.printf(Locale.ROOT, "%s%04o %10d  %s%s%n", kind, e.permissions(), e.data().length, e.path(), extra);
            total += e.data().length;
        }
        out.printf(Locale.ROOT, "%d entries, %s of data, %s on disk%n", entries.size(), ByteSizes.format(total),
                ByteSizes.format(Files.size(image)));
        out.flush();
    }
}
