package dev.aoe.cli.boot;

import dev.aoe.boot.AoeBoot;
import dev.aoe.boot.BootException;
import dev.aoe.boot.BootListener;
import dev.aoe.boot.BootMode;
import dev.aoe.boot.BootNetwork;
import dev.aoe.boot.BootedVm;
import dev.aoe.boot.DiskImage;
import dev.aoe.boot.ImageExport;
import dev.aoe.boot.Milestone;
import dev.aoe.cli.ByteSizes;
import dev.aoe.cli.CommandFailure;
import dev.aoe.cli.CommandLines;
import dev.aoe.cli.Durations;
import dev.aoe.cli.VersionProvider;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** {@code aoe boot}: export images, boot QEMU from them, and exit 0 once the console shows what was expected. */
@Command(name = "boot", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, sortOptions = false,
        description = {"Export images with the AoE target (in this process), boot QEMU from them, stream its serial"
                + " console and exit 0 once a line matches --expect.",
            "Modes: direct (-kernel/-initrd, root on /dev/etherd/eX.Y), pxe (the firmware gets the kernel and"
                + " initramfs from dnsmasq's DHCP and TFTP on the tap), sanboot (iPXE boots a whole-disk image over AoE;"
                + " make one with --make-disk).",
            "Networks: tap (root: a tap this command creates and removes; every mode) and udp (no root: QEMU's"
                + " -netdev dgram on 127.0.0.1; direct and sanboot, since PXE needs DHCP on a real interface)."},
        footer = {"", "Examples:",
            "  aoe boot --image root.img                      root on e0.1, Debian's kernel",
            "  aoe boot --image a.img --image b.img           RAID1 over e0.1 and e0.2",
            "  aoe boot --boot pxe --image root.img           DHCP and TFTP first (root)",
            "  aoe boot --make-disk disk.img --root rootfs/   a disk for sanboot, then",
            "  aoe boot --boot sanboot --image disk.img       iPXE boots it over AoE",
            "", "Exit codes: 0 the line was seen, 1 not seen before --timeout, QEMU ended or the guest gave up"
                + " (a panic, iPXE's error, the initramfs's shell), 2 usage error or unusable input; 130 interrupted."})
public final class BootCommand implements Callable<Integer> {

    static final int TAIL_LINES = 30;

    @Option(names = "--image", paramLabel = "[eX.Y=]FILE",
            description = "An image to export, as e0.1, e0.2, ... in order unless named; repeat for several.")
    List<String> images = new ArrayList<>();

    @Option(names = "--overlay", paramLabel = "DIR",
            description = "Serve the one image as a read-only base with a copy-on-write overlay per client MAC in DIR,"
                    + " kept between boots ('aoe overlay list DIR' shows them); the image is never written.")
    Path overlay;

    @Option(names = "--mac", paramLabel = "MAC",
            description = "The VM's MAC address (default: 52:54:00:12:34:56); with --overlay, which overlay it gets.")
    String mac;

    @Option(names = "--kernel", paramLabel = "FILE",
            description = "A bzImage or vmlinux (default: Debian 12's kernel, downloaded once with apt-get into a cache).")
    Path kernel;

    @Option(names = "--initrd", paramLabel = "FILE",
            description = "The initramfs (default: built now by initrd-gen for the kernel's modules, waiting for the"
                    + " images, with mdadm or lvm when they hold RAID members or an LVM volume).")
    Path initrd;

    @Option(names = "--append", paramLabel = "ARGS", defaultValue = "",
            description = "Kernel arguments, after console=ttyS0 panic=-1 and the root= the images imply (root=... rw).")
    String append;

    @Option(names = "--boot", paramLabel = "MODE", defaultValue = "direct", converter = Modes.class,
            completionCandidates = Modes.class, description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    BootMode mode;

    @Option(names = "--net", paramLabel = "KIND", converter = Networks.class, completionCandidates = Networks.class,
            description = "${COMPLETION-CANDIDATES} (default: tap as root, udp for other users).")
    BootNetwork network;

    @Option(names = "--mtu", paramLabel = "BYTES", defaultValue = "1500",
            description = "MTU of the link and, with the default initramfs, of the guest's NIC (default: ${DEFAULT-VALUE}).")
    int mtu;

    @Option(names = "--memory", paramLabel = "SIZE", defaultValue = "512M", converter = ByteSizes.class,
            description = "The VM's memory (default: ${DEFAULT-VALUE}).")
    long memory;

    @Option(names = "--cpus", paramLabel = "N", defaultValue = "1", description = "The VM's CPUs (default: ${DEFAULT-VALUE}).")
    int cpus;

    @Option(names = "--kvm", description = "Use KVM (default: TCG, slower but it works everywhere).")
    boolean kvm;

    @Option(names = "--expect", paramLabel = "REGEX", defaultValue = AoeBoot.DEFAULT_EXPECT,
            description = "Succeed at the first console line this matches (default: '${DEFAULT-VALUE}', which the default"
                    + " initramfs prints once the root is mounted, just before it runs init).")
    String expect;

    @Option(names = "--timeout", paramLabel = "TIME", defaultValue = "3m", converter = Durations.class,
            description = "How long QEMU may run before the line is seen (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--serial-log", paramLabel = "FILE",
            description = "Write the console here (default: console.log in the work directory).")
    Path serialLog;

    @Option(names = "--keep", description = "Keep the work directory (it is always kept when the boot fails).")
    boolean keep;

    @Option(names = "--qemu-arg", paramLabel = "ARG", description = "One more QEMU argument; repeat.")
    List<String> qemuArgs = new ArrayList<>();

    @Option(names = "--aoe-config", paramLabel = "FILE",
            description = "Tap only: serve FILE over HTTP as the initramfs's configuration, which it fetches after"
                    + " DHCP (the kernel gets ip=dhcp and aoe.config=URL).")
    Path aoeConfig;

    @Option(names = {"-q", "--quiet"}, description = "Do not stream the console; milestones and the result only.")
    boolean quiet;

    @Option(names = "--make-disk", paramLabel = "FILE",
            description = "Instead of booting, write a whole-disk image for sanboot: partition 1 SYSLINUX, the kernel"
                    + " and the initramfs, partition 2 the --root file system (root=/dev/etherd/e0.1p2).")
    Path makeDisk;

    @Option(names = "--root", paramLabel = "DIR|IMAGE", description = "With --make-disk: a directory or an ext image.")
    Path root;

    @Spec
    CommandSpec spec;

    private volatile boolean interrupted;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (makeDisk != null) {
            return makeDisk(out);
        }
        if (root != null) {
            throw usage("--root goes with --make-disk");
        }
        if (images.isEmpty()) {
            throw usage("give --image FILE (the root to boot), or --make-disk FILE --root DIR|IMAGE to make a disk");
        }
        try {
            Pattern.compile(expect);
        } catch (PatternSyntaxException e) {
            throw usage("--expect is not a regular expression: " + e.getDescription());
        }
        AoeBoot boot = builder(out);
        BootedVm vm;
        try {
            vm = boot.start();
        } catch (BootException e) {
            throw failure(e);
        }
        Thread onSignal = new Thread(() -> {
            interrupted = true;
            vm.close();
            System.err.println("aoe boot: interrupted; QEMU stopped and everything the boot set up removed"
                    + (Files.exists(vm.workDir()) ? " but the work directory " + vm.workDir() : ""));
        }, "aoe-boot-interrupted");
        Runtime.getRuntime().addShutdownHook(onSignal);
        out.printf("aoe boot: booting (%s over %s), work directory %s%n", mode.name().toLowerCase(Locale.ROOT),
                vm.tapName() != null ? "tap " + vm.tapName() : "udp", vm.workDir());
        out.flush();
        BootException failure = null;
        try {
            vm.awaitConsole(expect, timeout);
            out.println("aoe boot: " + new Milestone(Milestone.Kind.EXPECT_MATCHED, "/" + expect + "/", vm.elapsed()));
        } catch (BootException e) {
            failure = e;
        } finally {
            vm.close();
            try {
                Runtime.getRuntime().removeShutdownHook(onSignal);
            } catch (IllegalStateException shuttingDown) {
                // the hook reports
            }
        }
        out.flush();
        if (failure == null) {
            return 0;
        }
        if (interrupted) {
            return 130;
        }
        report(failure, vm, spec.commandLine().getErr());
        return CommandLines.EXIT_FAILURE;
    }

    private AoeBoot builder(PrintWriter out) {
        if (memory < (128L << 20) || memory > (1L << 40)) {
            throw usage("--memory " + ByteSizes.format(memory) + " is outside 128 MiB..1 TiB");
        }
        AoeBoot boot = AoeBoot.builder().kernel(kernel).initrd(initrd).append(append).mode(mode).mtu(mtu)
                .memoryMiB((int) (memory >> 20)).cpus(cpus).kvm(kvm).keepWorkDir(keep).serialLog(serialLog)
                .listener(new BootListener() {
                    @Override
                    public void consoleLine(String line) {
                        if (!quiet) {
                            out.println("  | " + line);
                            out.flush();
                        }
                    }

                    @Override
                    public void milestone(Milestone m) {
                        out.println("aoe boot: " + m);
                        out.flush();
                    }
                });
        if (network != null) {
            boot.network(network);
        }
        if (overlay != null) {
            boot.overlay(overlay);
        }
        if (mac != null) {
            boot.mac(mac);
        }
        int plain = 0;
        for (String image : images) {
            try {
                boot.image(ImageExport.parse(image, "e0." + (image.matches("e\\d+\\.\\d+=.*") ? 0 : ++plain)));
            } catch (BootException e) {
                throw usage("--image " + image + ": " + e.getMessage());
            }
        }
        qemuArgs.forEach(boot::qemuArg);
        if (aoeConfig != null) {
            try {
                boot.aoeConfig(Files.readString(aoeConfig));
            } catch (IOException e) {
                throw usage("--aoe-config " + aoeConfig + ": cannot read it");
            }
        }
        return boot;
    }

    private int makeDisk(PrintWriter out) {
        if (root == null) {
            throw usage("--make-disk needs --root DIR|IMAGE: the root file system for partition 2");
        }
        if (!images.isEmpty() || mode != BootMode.DIRECT) {
            throw usage("--make-disk only writes the disk; boot it afterwards with --boot sanboot --image FILE");
        }
        try {
            DiskImage.make(makeDisk, root, kernel, initrd, mtu, append);
        } catch (BootException e) {
            throw failure(e);
        }
        out.printf("aoe boot: wrote %s (%s): partition 1 SYSLINUX, vmlinuz and initrd.img, partition 2 the root (%s);"
                + " boot it with: aoe boot --boot sanboot --image %s%n", makeDisk, ByteSizes.format(makeDisk.toFile().length()),
                DiskImage.ROOT_DEVICE, makeDisk);
        out.flush();
        return 0;
    }

    /** The failure in one line, then what helps to look into it: the console's tail, the milestones, how to rerun. */
    private static void report(BootException failure, BootedVm vm, PrintWriter err) {
        err.println("aoe boot: " + failure.getMessage());
        List<String> console = vm.console();
        err.println("aoe boot: the last " + Math.min(TAIL_LINES, console.size()) + " console lines:");
        console.subList(Math.max(0, console.size() - TAIL_LINES), console.size()).forEach(l -> err.println("  | " + l));
        List<Milestone> reached = vm.milestones();
        List<Milestone.Kind> missing = vm.expectedMilestones().stream()
                .filter(k -> reached.stream().noneMatch(m -> m.kind() == k)).toList();
        err.println("aoe boot: reached: " + (reached.isEmpty() ? "nothing"
                : reached.stream().map(m -> m.kind().label() + " (" + String.format(Locale.ROOT, "%.1f s",
                        m.at().toMillis() / 1000.0) + ")").collect(Collectors.joining(", "))));
        err.println("aoe boot: not reached: " + (missing.isEmpty() ? "nothing the mode promises"
                : missing.stream().map(Milestone.Kind::label).collect(Collectors.joining(", "))));
        err.println("aoe boot: work directory kept: " + vm.workDir());
        err.println("aoe boot: to rerun it by hand (as root for a tap; also in " + vm.workDir().resolve("rerun.sh") + "):");
        vm.rerunCommands().forEach(c -> err.println("  " + c));
        err.flush();
    }

    private static CommandFailure usage(String message) {
        return new CommandFailure(message, CommandLines.EXIT_USAGE);
    }

    private static CommandFailure failure(BootException e) {
        return new CommandFailure(e.getMessage(),
                e.reason() == BootException.Reason.BAD_INPUT ? CommandLines.EXIT_USAGE : CommandLines.EXIT_FAILURE);
    }

    /** {@code --boot direct|pxe|sanboot}. */
    static final class Modes implements ITypeConverter<BootMode>, Iterable<String> {
        @Override
        public BootMode convert(String value) {
            return Stream.of(BootMode.values()).filter(m -> m.name().equalsIgnoreCase(value)).findFirst()
                    .orElseThrow(() -> new TypeConversionException("'" + value + "' is not one of direct, pxe, sanboot"));
        }

        @Override
        public Iterator<String> iterator() {
            return Stream.of(BootMode.values()).map(m -> m.name().toLowerCase(Locale.ROOT)).iterator();
        }
    }

    /** {@code --net tap|udp}. */
    static final class Networks implements ITypeConverter<BootNetwork>, Iterable<String> {
        @Override
        public BootNetwork convert(String value) {
            return Stream.of(BootNetwork.values()).filter(m -> m.name().equalsIgnoreCase(value)).findFirst()
                    .orElseThrow(() -> new TypeConversionException("'" + value + "' is not one of tap, udp"));
        }

        @Override
        public Iterator<String> iterator() {
            return Stream.of(BootNetwork.values()).map(m -> m.name().toLowerCase(Locale.ROOT)).iterator();
        }
    }
}
