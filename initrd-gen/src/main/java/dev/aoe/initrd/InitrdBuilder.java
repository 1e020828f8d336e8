package dev.aoe.initrd;

import dev.aoe.initrd.cpio.CpioEntry;
import dev.aoe.initrd.elf.Elf;
import dev.aoe.initrd.image.Compression;
import dev.aoe.initrd.image.ImageBuilder;
import dev.aoe.initrd.modules.KernelModules;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Assembles the AoE boot image: static busybox and its applet links, the kernel modules (with their
 * dependencies, decompressed), /init, /linuxrc and their configuration, /dev/console and /dev/null,
 * and, when asked, mdadm and lvm with their shared libraries.
 */
public final class InitrdBuilder {

    /** The busybox applets the scripts use, and what a rescue shell wants. */
    static final List<String> APPLETS = List.of("sh", "ash", "[", "[[", "test", "echo", "printf", "cat", "ls", "mkdir",
            "mount", "umount", "sleep", "ip", "insmod", "rmmod", "lsmod", "modprobe", "switch_root", "setsid", "cttyhack",
            "poweroff", "reboot", "halt", "udhcpc", "wget", "sed", "grep", "tr", "cut", "wc", "head", "tail", "dmesg",
            "findfs", "blkid", "ln", "rm", "cp", "mv", "ps", "kill", "sync", "uname", "readlink", "chroot", "env",
            "true", "false", "vi", "less", "free", "df", "du", "mknod", "hexdump", "seq", "sha256sum", "md5sum",
            "touch", "stat", "find", "xargs", "awk", "dd", "basename", "dirname", "id", "cmp");

    /** An initramfs has no udev: lvm lists devices from /dev itself and makes its own /dev/mapper nodes. */
    static final String LVM_CONF = String.join("\n",
            "# lvm in the aoe-initrd initramfs, where no udev runs",
            "devices {",
            "    obtain_device_list_from_udev = 0",
            "    external_device_info_source = \"none\"",
            "}",
            "activation {",
            "    udev_sync = 0",
            "    udev_rules = 0",
            "    monitoring = 0",
            "}",
            "");

    private InitrdBuilder() {
    }

    /** The built image's size figures and contents. */
    public record Result(ImageBuilder.Report report, List<String> modules, List<String> warnings) {
    }

    public static Result build(InitrdSpec spec, OutputStream out) throws IOException {
        List<String> warnings = new ArrayList<>();
        ImageBuilder image = new ImageBuilder();
        for (String dir : List.of("bin", "sbin", "etc", "proc", "sys", "dev", "newroot", "tmp", "run", "usr/bin")) {
            image.add(CpioEntry.directory(dir));
        }
        image.add(CpioEntry.charDevice("dev/console", 0600, 5, 1));
        image.add(CpioEntry.charDevice("dev/null", 0666, 1, 3));
        addBusybox(image, spec.busybox());

        KernelModules kernel = KernelModules.open(spec.kernelModules());
        List<String> wanted = new ArrayList<>();
        if (spec.modules().isEmpty()) {
            InitrdSpec.DEFAULT_MODULES.stream().filter(kernel::contains).forEach(wanted::add);
        } else {
            wanted.addAll(spec.modules());
        }
        if (spec.mdadmConf() != null) {
            List.of("raid1", "raid0", "raid10").stream().filter(kernel::contains).forEach(wanted::add);
        }
        if (spec.lvm()) {
            wanted.add("dm_mod");
        }
        wanted.add("aoe");
        List<String> files = kernel.resolve(List.copyOf(new LinkedHashSet<>(wanted)));
        String base = "lib/modules/" + kernel.version() + "/";
        StringBuilder order = new StringBuilder();
        for (String rel : files) {
            String plain = rel.replaceAll("\\.(gz|xz|zst)$", "");
            byte[] ko = Compression.inflate(Files.readAllBytes(kernel.dir().resolve(rel)));
            image.add(CpioEntry.file(base + plain, 0644, ko));
            order.append(plain).append('\n');
        }
        image.add(CpioEntry.file(base + "aoe-initrd.order", 0644, order.toString().getBytes(StandardCharsets.UTF_8)));

        image.add(CpioEntry.file("init", 0755, resource("init.sh")));
        image.add(CpioEntry.file("linuxrc", 0755, resource("linuxrc.sh")));
        image.add(CpioEntry.file("lib/aoe-initrd/functions.sh", 0644, resource("functions.sh")));
        image.add(CpioEntry.file("usr/share/udhcpc/default.script", 0755, resource("udhcpc.script")));
        image.add(CpioEntry.file("etc/aoe-initrd.conf", 0644, config(spec, kernel.version(), wanted)));

        if (spec.mdadmConf() != null) {
            addProgram(image, "mdadm", warnings);
            byte[] conf = Files.readAllBytes(spec.mdadmConf());
            image.add(CpioEntry.file("etc/mdadm/mdadm.conf", 0644, conf));
            image.add(CpioEntry.file("etc/mdadm.conf", 0644, conf));
        }
        if (spec.lvm()) {
            addProgram(image, "lvm", warnings);
            image.add(CpioEntry.file("etc/lvm/lvm.conf", 0644, LVM_CONF.getBytes(StandardCharsets.UTF_8)));
        }
        if (!image.replaced().isEmpty()) {
            warnings.add("replaced earlier entries: " + image.replaced());
        }
        ImageBuilder.Report report = image.write(out, spec.compression(), spec.mtime());
        return new Result(report, files, warnings);
    }

    private static void addBusybox(ImageBuilder image, Path busybox) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(busybox);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IOException("busybox not found at " + busybox + " (apt-get install busybox-static, or --busybox PATH)");
        }
        if (Elf.parse(bytes, busybox.toString()).dynamic()) {
            throw new IOException(busybox + " is dynamically linked; an initramfs needs a static busybox"
                    + " (apt-get install busybox-static, or --busybox PATH)");
        }
        image.add(CpioEntry.file("bin/busybox", 0755, bytes));
        Set<String> available = applets(busybox);
        for (String applet : APPLETS) {
            if (available == null || available.contains(applet)) {
                image.add(CpioEntry.symlink("bin/" + applet, "busybox"));
            }
        }
    }

    /** The applets this busybox has (busybox --list), or null when it cannot run here (another architecture). */
    private static Set<String> applets(Path busybox) {
        try {
            Process p = new ProcessBuilder(busybox.toString(), "--list").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? new LinkedHashSet<>(out.lines().toList()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** A host program and the shared libraries ldd names for it, at the same paths. */
    private static void addProgram(ImageBuilder image, String name, List<String> warnings) throws IOException {
        Path program = null;
        for (String dir : List.of("/sbin", "/usr/sbin", "/bin", "/usr/bin")) {
            if (Files.isExecutable(Path.of(dir, name))) {
                program = Path.of(dir, name).toRealPath();
                break;
            }
        }
        if (program == null) {
            throw new IOException(name + " is not installed on this machine (apt-get install "
                    + (name.equals("lvm") ? "lvm2" : name) + ")");
        }
        image.add(CpioEntry.file("sbin/" + name, 0755, Files.readAllBytes(program)));
        Process p = new ProcessBuilder("ldd", program.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (String line : out.lines().toList()) {
            String lib = line.contains("=>") ? line.substring(line.indexOf("=>") + 2).trim() : line.trim();
            int paren = lib.indexOf(" (");
            lib = paren > 0 ? lib.substring(0, paren) : lib;
            if (lib.startsWith("/")) {
                Path real = Path.of(lib).toRealPath();
                image.add(CpioEntry.file(lib.substring(1), 0755, Files.readAllBytes(real)));
            } else if (!lib.isEmpty() && !lib.startsWith("linux-vdso")) {
                warnings.add(name + ": ldd says '" + line.trim() + "'");
            }
        }
    }

    private static byte[] config(InitrdSpec spec, String version, List<String> modules) throws IOException {
        StringBuilder c = new StringBuilder();
        c.append("# /etc/aoe-initrd.conf, read by /init and /linuxrc (POSIX sh syntax)\n");
        c.append("KERNEL_VERSION=").append(version).append('\n');
        if (spec.configFile() != null) {
            c.append(Files.readString(spec.configFile()));
            return c.toString().getBytes(StandardCharsets.UTF_8);
        }
        c.append("# modules loaded (with their dependencies) before aoe\n");
        c.append("MODULES=\"").append(String.join(" ", modules)).append("\"\n");
        c.append("# AoE interfaces, names or MAC addresses; empty: every Ethernet link\n");
        c.append("AOE_IFACES=\"").append(String.join(" ", spec.aoeIfaces())).append("\"\n");
        c.append("# AoE devices to wait for (a root= on AoE is waited for anyway)\n");
        c.append("AOE_WAIT=\"").append(String.join(" ", spec.waitDevices())).append("\"\n");
        c.append("# seconds to wait; degraded RAID arrays are started at 2/3 of it\n");
        c.append("TIMEOUT=").append(spec.timeoutSeconds()).append('\n');
        c.append("MTU=").append(spec.mtu() == null ? "" : spec.mtu()).append('\n');
        c.append("MDADM=").append(spec.mdadmConf() != null ? "yes" : "no").append('\n');
        c.append("LVM=").append(spec.lvm() ? "yes" : "no").append('\n');
        return c.toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = InitrdBuilder.class.getResourceAsStream("script/" + name)) {
            if (in == null) {
                throw new IOException("missing resource script/" + name);
            }
            return in.readAllBytes();
        }
    }
}
