package dev.aoe.boot;

import dev.aoe.boot.BootException.Reason;
import dev.aoe.boot.Milestone.Kind;
import dev.aoe.ethernet.MacAddress;
import dev.aoe.initrd.image.Compression;
import dev.aoe.link.FrameLink;
import dev.aoe.link.LinkException;
import dev.aoe.link.spec.LinkSpec;
import dev.aoe.link.udp.UdpLink;
import dev.aoe.target.Export;
import dev.aoe.target.Target;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Writer;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A running boot: QEMU, the target serving the images, and dnsmasq and the tap when the mode needs
 * them. The serial console is read as it comes; {@link #awaitConsole} waits for a line, and
 * {@link #close()} stops QEMU and removes everything the boot created (also on SIGINT or SIGTERM,
 * through a shutdown hook). The work directory stays when the boot failed or was asked to be kept.
 */
public final class BootedVm implements AutoCloseable {

    /**
     * Lines after which no boot goes on: a panic, iPXE or SeaBIOS giving up, the initramfs's rescue
     * shell. A wait fails at once on them, unless its own pattern matches the line.
     */
    static final Pattern GIVES_UP = Pattern.compile("Kernel panic|aoe-initrd: dropping to a shell"
            + "|Could not open SAN device|Boot from SAN device \\S+ failed|No bootable device|No configuration methods"
            + "|No more network devices|Could not boot");
    static final Path IPXE_LKRN = Path.of("/usr/lib/ipxe/ipxe.lkrn");

    private final AoeBoot spec;
    private final long startNanos = System.nanoTime();
    private final MilestoneWatch watch;
    private final Thread shutdownHook = new Thread(this::closeQuietly, "aoe-boot-cleanup");

    private final List<String> console = new ArrayList<>();
    private boolean consoleEnded;
    private int cursor;
    private final List<String> qemuErrors = Collections.synchronizedList(new ArrayList<>());

    private Path workDir;
    private boolean ownWorkDir;
    private Writer serialLog;
    private Tap tap;
    private Dnsmasq dnsmasq;
    private ConfigServer configServer;
    private BootTarget bootTarget;
    private Target target;
    private Process qemu;
    private List<String> qemuCommand = List.of();
    private final List<String> rerun = new ArrayList<>();
    private final List<Thread> readers = new ArrayList<>();
    private volatile boolean failed;
    private boolean closed;

    private BootedVm(AoeBoot spec) {
        this.spec = spec;
        this.watch = new MilestoneWatch(startNanos, spec.listener,
                spec.mode == BootMode.SANBOOT && !spec.images.isEmpty() ? spec.images.get(0).name() : null);
    }

    /** Starts a boot; with {@code spec.fleetPort}, a VM of a {@link Fleet} booting from the fleet's target. */
    static BootedVm start(AoeBoot spec) {
        RootLayout layout = validate(spec);
        BootedVm vm = new BootedVm(spec);
        Runtime.getRuntime().addShutdownHook(vm.shutdownHook);
        try {
            vm.launch(layout);
        } catch (RuntimeException e) {
            vm.closeQuietly();   // the work directory too, unless kept: the message says all there is
            throw e;
        }
        return vm;
    }

    // ---- checks before anything starts

    static RootLayout validate(AoeBoot s) {
        if (s.mode == BootMode.PXE && s.network == BootNetwork.UDP) {
            throw bad("PXE needs the tap network: DHCP and TFTP need a server on a real interface, and QEMU's dgram"
                    + " socket carries nothing but the frames between the VM and our target");
        }
        if (s.aoeConfig != null && s.network == BootNetwork.UDP) {
            throw bad("a configuration served over HTTP needs the tap network (the initramfs gets its address from dnsmasq)");
        }
        if (s.mode == BootMode.SANBOOT) {
            if (s.kernel != null || s.initrd != null || !s.append.isEmpty()) {
                throw bad("sanboot boots the kernel, initramfs and arguments inside the disk image; put them there"
                        + " (aoe boot --make-disk)");
            }
            if (s.images.isEmpty()) {
                throw bad("sanboot needs an image: the whole disk to boot");
            }
        }
        try {
            MacAddress mac = MacAddress.parse(s.mac);
            if (mac.isMulticast()) {
                throw bad("MAC " + s.mac + " is a group address; a NIC needs a unicast one");
            }
        } catch (IllegalArgumentException e) {
            throw bad("MAC '" + s.mac + "' is not a MAC address (aa:bb:cc:dd:ee:ff)");
        }
        if (s.overlay != null && s.images.size() != 1) {
            throw bad("an overlay directory goes with exactly one image (its base), not " + s.images.size());
        }
        if (s.overlay != null && Files.exists(s.overlay) && !Files.isDirectory(s.overlay)) {
            throw bad("overlay " + s.overlay + " is not a directory");
        }
        if (s.fleetPort > 0 && s.network != BootNetwork.UDP) {
            throw bad("a fleet's VMs reach its target over UDP");
        }
        if (s.mtu < 576 || s.mtu > 9000) {
            throw bad("MTU " + s.mtu + " is outside 576..9000");
        }
        if (s.memoryMiB < 128 || s.cpus < 1 || s.cpus > 64) {
            throw bad("a VM needs at least 128 MiB and 1 to 64 CPUs");
        }
        if (!s.tapPrefix.matches("[a-z][a-z0-9]{0,6}")) {
            throw bad("tap prefix '" + s.tapPrefix + "' must be 1 to 7 lower-case letters and digits");
        }
        if (s.kernel != null) {
            requireFile(s.kernel, "kernel");
        }
        if (s.initrd != null) {
            requireFile(s.initrd, "initramfs");
        } else if (s.kernel != null) {
            Initramfs.modulesOf(s.kernel);   // the default initramfs needs the kernel's modules on this host
        }
        for (Path disk : s.disks) {
            requireFile(disk, "disk");
        }
        Set<String> names = new HashSet<>();
        for (ImageExport image : s.images) {
            requireFile(image.file(), "image");
            if (s.overlay == null && !Files.isWritable(image.file())) {
                throw bad(image.file() + ": not writable (the guest writes to its root)");
            }
            if (!names.add(image.name())) {
                throw bad(image.name() + " is given twice");
            }
        }
        RootLayout layout = s.images.isEmpty() || s.mode == BootMode.SANBOOT ? null : RootLayout.detect(s.images);
        if (layout != null && !namesRoot(s.append) && layout.root() == null && (s.initrd == null || layout.lvm())) {
            throw bad(layout.found() + (layout.lvm() ? "; give root=/dev/mapper/VG-LV in the kernel arguments"
                    : "; give root= in the kernel arguments to boot it anyway"));
        }
        HostCommand.require("qemu-system-x86_64", "qemu-system-x86");
        if (s.mode == BootMode.SANBOOT && s.network == BootNetwork.UDP) {
            ipxeLkrn();
        }
        if (s.mode == BootMode.PXE || s.mode == BootMode.SANBOOT && s.network == BootNetwork.TAP || s.aoeConfig != null) {
            HostCommand.require("dnsmasq", "dnsmasq-base");
        }
        if (s.network == BootNetwork.TAP && !HostCommand.isRoot()) {
            throw new BootException(Reason.ENVIRONMENT, "the tap network needs root (to create a tap); use the udp network");
        }
        return layout;
    }

    private static void requireFile(Path p, String what) {
        if (!Files.exists(p)) {
            throw bad(what + " " + p + ": no such file");
        }
        if (Files.isDirectory(p) || !Files.isReadable(p)) {
            throw bad(what + " " + p + ": not a readable file");
        }
    }

    private static boolean namesRoot(String append) {
        return (" " + append).contains(" root=");
    }

    private static BootException bad(String message) {
        return new BootException(Reason.BAD_INPUT, message);
    }

    // ---- setting up

    private synchronized void launch(RootLayout layout) {
        if (closed) {
            throw new BootException(Reason.ENVIRONMENT, "closed before it started");
        }
        makeWorkDir();
        Path kernel = null;
        Path initrd = null;
        String arguments = null;
        if (spec.mode != BootMode.SANBOOT) {
            DebianKernel debian = spec.kernel == null ? DebianKernel.get() : null;
            kernel = spec.kernel != null ? spec.kernel : spec.mode == BootMode.DIRECT ? debian.vmlinux() : debian.vmlinuz();
            initrd = spec.initrd != null ? spec.initrd
                    : buildInitrd(debian != null ? debian.modulesDir() : Initramfs.modulesOf(spec.kernel), layout);
            arguments = kernelArguments(layout);
        }
        boolean dhcp = spec.mode == BootMode.PXE || spec.mode == BootMode.SANBOOT && spec.network == BootNetwork.TAP
                || spec.aoeConfig != null;
        Wiring wiring = spec.network == BootNetwork.TAP ? tapWiring(dhcp) : udpWiring();
        if (wiring.link() != null) {
            bootTarget = BootTarget.prepare(spec.images, spec.overlay, wiring.link(), wiring.iface());
            target = bootTarget.target();
            rerun.add("aoe target --config " + write("exports.conf", bootTarget.config()) + " &");
        }
        if (spec.aoeConfig != null) {
            configServer = ConfigServer.start(wiring.subnet().host(), spec.aoeConfig,
                    () -> watch.reached(Kind.CONFIG_FETCHED, configServer.url()));
            arguments += " ip=dhcp aoe.config=" + configServer.url();
        }
        QemuPlan.Machine machine = new QemuPlan.Machine(spec.memoryMiB, spec.cpus, spec.disks, spec.qemuArgs, spec.kvm,
                MacAddress.parse(spec.mac).toString(), spec.guestReboots);
        String sanbootUri = spec.mode == BootMode.SANBOOT ? "aoe:" + spec.images.get(0).name() : null;
        QemuPlan plan = switch (spec.mode) {
            case DIRECT -> new QemuPlan(wiring.netdev(), kernel, initrd, arguments, machine);
            case PXE -> {
                pxeFiles(kernel, initrd, arguments);
                yield new QemuPlan(wiring.netdev(), null, null, null, machine);
            }
            case SANBOOT -> spec.network == BootNetwork.TAP ? new QemuPlan(wiring.netdev(), null, null, null, machine)
                    : new QemuPlan(wiring.netdev(), ipxeLkrn(), sanbootScript(sanbootUri), null, machine);
        };
        if (dhcp) {
            dnsmasq = Dnsmasq.start(tap.name(), wiring.subnet(), workDir,
                    spec.mode == BootMode.PXE ? workDir.resolve("tftp") : null,
                    spec.network == BootNetwork.TAP ? sanbootUri : null, watch::dnsmasq);
            rerun.add("dnsmasq --keep-in-foreground --conf-file=" + workDir.resolve("dnsmasq.conf") + " &");
        }
        startQemu(plan);
        if (target != null) {
            if (tap != null) {
                tap.awaitCarrier(Duration.ofSeconds(10));   // QEMU attached: the target's announcement can leave
            }
            target.start();
            watch.reached(Kind.TARGET_UP, target.exports().stream().map(Export::name).collect(Collectors.joining(" "))
                    + " on " + target.link().name() + ", " + target.maxSectors() + " sectors per frame");
        }
    }

    /**
     * How QEMU and the target meet.
     *
     * @param link   the target's link, or null without images
     * @param iface  the link as ./aoe target names it, for the rerun lines
     * @param subnet dnsmasq's addresses, or null
     */
    private record Wiring(String netdev, FrameLink link, String iface, Dnsmasq.Subnet subnet) {
    }

    private Wiring tapWiring(boolean dhcp) {
        tap = Tap.create(spec.tapPrefix, spec.mtu, dhcp);
        String name = tap.name();
        rerun.add("ip tuntap add dev " + name + " mode tap && ip link set dev " + name + " mtu " + spec.mtu + " up");
        Dnsmasq.Subnet subnet = null;
        if (dhcp) {
            subnet = Dnsmasq.freeSubnet();
            tap.addAddress(subnet.host() + "/24");
            tap.addAddress(subnet.ipv6Prefix() + "::1/64");
            rerun.add("ip addr add " + subnet.host() + "/24 dev " + name + " && ip -6 addr add " + subnet.ipv6Prefix()
                    + "::1/64 dev " + name + " nodad");
        }
        FrameLink link = spec.images.isEmpty() ? null : openLink(() -> LinkSpec.parse(name, spec.targetLink).open(0).link());
        return new Wiring(QemuPlan.tapNetdev(name), link, name, subnet);
    }

    /**
     * QEMU's socket and the target's: QEMU's port is found free first, since QEMU cannot say which it bound.
     * A fleet's VM sends to the fleet's target, which learns its port from its first frame.
     */
    private Wiring udpWiring() {
        int qemuPort = freeUdpPort();
        if (spec.fleetPort > 0) {
            rerun.add("# the fleet's target listens on UDP port " + spec.fleetPort);
            return new Wiring(QemuPlan.dgramNetdev(qemuPort, spec.fleetPort), null, null, null);
        }
        if (spec.images.isEmpty()) {
            return new Wiring(QemuPlan.dgramNetdev(qemuPort, freeUdpPort()), null, null, null);
        }
        UdpLink udp = openLink(() -> UdpLink.open(new InetSocketAddress("127.0.0.1", 0),
                new InetSocketAddress("127.0.0.1", qemuPort), null, spec.mtu));
        int port = udp.localAddress().getPort();
        return new Wiring(QemuPlan.dgramNetdev(qemuPort, port), udp, "udp:" + port + "-" + qemuPort, null);
    }

    private static Path ipxeLkrn() {
        if (!Files.isReadable(IPXE_LKRN)) {
            throw new BootException(Reason.ENVIRONMENT, IPXE_LKRN + " is missing (apt-get install ipxe)");
        }
        return IPXE_LKRN;
    }

    /** For ipxe.lkrn: ifopen, since no DHCP opens the NIC; reboot, which ends QEMU (-no-reboot) when sanboot fails. */
    private Path sanbootScript(String uri) {
        return write("sanboot.ipxe", "#!ipxe\nifopen net0\nsanboot " + uri + " || reboot\n");
    }

    private void makeWorkDir() {
        try {
            ownWorkDir = spec.workDir == null;
            workDir = ownWorkDir ? Files.createTempDirectory("aoe-boot-") : Files.createDirectories(spec.workDir);
            // dnsmasq serves TFTP as nobody; nothing here is secret (the images stay where they are)
            Files.setPosixFilePermissions(workDir, PosixFilePermissions.fromString("rwxr-xr-x"));
            if (spec.mode == BootMode.PXE && !reachableByOthers(workDir)) {
                throw bad("dnsmasq serves TFTP as nobody, who cannot reach the work directory " + workDir
                        + " (a parent directory is not searchable by others)");
            }
            Path log = spec.serialLog != null ? spec.serialLog : workDir.resolve("console.log");
            serialLog = Files.newBufferedWriter(log);
        } catch (IOException e) {
            throw new BootException(Reason.ENVIRONMENT, "cannot make the work directory: " + e.getMessage(), e);
        }
    }

    private static boolean reachableByOthers(Path dir) throws IOException {
        for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
            if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                return false;
            }
        }
        return true;
    }

    /** The kernel command line: console, panic=-1 (with -no-reboot a panic ends QEMU), the layout's root=, then the caller's. */
    private String kernelArguments(RootLayout layout) {
        StringBuilder a = new StringBuilder("console=ttyS0 panic=-1");
        if (!namesRoot(spec.append) && layout != null && layout.root() != null) {
            a.append(" root=").append(layout.root()).append(" rw");
        }
        if (!spec.append.isEmpty()) {
            a.append(' ').append(spec.append);
        }
        return a.toString();
    }

    private Path buildInitrd(Path modules, RootLayout layout) {
        return buildInitrd(spec, modules, layout, workDir);
    }

    /** The default initramfs for {@code s}'s images, written as initrd.img (and mdadm.conf) into {@code dir}. */
    static Path buildInitrd(AoeBoot s, Path modules, RootLayout layout, Path dir) {
        Path image = dir.resolve("initrd.img");
        Path mdadmConf = null;
        if (layout != null && layout.mdadmConf() != null) {
            mdadmConf = dir.resolve("mdadm.conf");
            try {
                Files.writeString(mdadmConf, layout.mdadmConf());
            } catch (IOException e) {
                throw new BootException(Reason.ENVIRONMENT, "cannot write " + mdadmConf + ": " + e.getMessage(), e);
            }
        }
        String rootDevice = layout != null && layout.root() != null ? layout.root() : "";
        List<String> wait = s.images.stream().map(ImageExport::name)   // the root's device is waited for anyway
                .filter(n -> !rootDevice.equals("/dev/etherd/" + n)).toList();
        Initramfs.build(modules, Initramfs.VM_MODULES, wait, s.mtu, mdadmConf, layout != null && layout.lvm(),
                Compression.NONE, image);
        return image;
    }

    private static <L extends FrameLink> L openLink(Supplier<L> opener) {
        try {
            return opener.get();
        } catch (LinkException e) {
            throw new BootException(Reason.ENVIRONMENT, "the target cannot open its link: " + e.getMessage(), e);
        }
    }

    /** The TFTP root: the kernel, the initramfs and the iPXE script that boots them. */
    private void pxeFiles(Path kernel, Path initrd, String arguments) {
        Path root = workDir.resolve("tftp");
        try {
            Files.createDirectories(root);
            Files.copy(kernel, root.resolve("vmlinuz"));
            Files.copy(initrd, root.resolve("initrd.img"));
            Files.writeString(root.resolve("boot.ipxe"), "#!ipxe\necho aoe boot: the kernel and initramfs over TFTP\n"
                    + "kernel vmlinuz " + arguments + "\ninitrd initrd.img\nboot || reboot\n");
            for (String f : List.of("vmlinuz", "initrd.img", "boot.ipxe")) {
                Files.setPosixFilePermissions(root.resolve(f), PosixFilePermissions.fromString("rw-r--r--"));
            }
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new BootException(Reason.ENVIRONMENT, "cannot fill " + root + ": " + e.getMessage(), e);
        }
    }

    private Path write(String name, String text) {
        try {
            return Files.writeString(workDir.resolve(name), text);
        } catch (IOException e) {
            throw new BootException(Reason.ENVIRONMENT, "cannot write " + workDir.resolve(name) + ": " + e.getMessage(), e);
        }
    }

    static int freeUdpPort() {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new BootException(Reason.ENVIRONMENT, "no free UDP port on 127.0.0.1: " + e.getMessage(), e);
        }
    }

    private void startQemu(QemuPlan plan) {
        Path binary = HostCommand.require("qemu-system-x86_64", "qemu-system-x86");
        qemuCommand = plan.command(binary);
        rerun.add(QemuPlan.shellLine(qemuCommand));
        write("rerun.sh", "#!/bin/sh\n# this boot by hand, as root for a tap\n" + String.join("\n", rerun) + "\n");
        try {
            qemu = new ProcessBuilder(qemuCommand).start();
        } catch (IOException e) {
            throw new BootException(Reason.ENVIRONMENT, "cannot start QEMU: " + e.getMessage(), e);
        }
        reader("qemu-console", () -> readConsole(qemu.getInputStream()));
        reader("qemu-stderr", () -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(qemu.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    qemuErrors.add(line);
                }
            } catch (IOException e) {
                // QEMU ended
            }
        });
    }

    private void reader(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        readers.add(t);
    }

    private void readConsole(InputStream in) {
        ConsoleDecoder decoder = new ConsoleDecoder(this::consoleLine);
        byte[] buffer = new byte[8192];
        try {
            for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
                decoder.feed(buffer, n);
            }
        } catch (IOException e) {
            // QEMU ended
        }
        decoder.flush();
        synchronized (console) {
            consoleEnded = true;
            console.notifyAll();
        }
    }

    private void consoleLine(String line) {
        synchronized (console) {
            console.add(line);
            console.notifyAll();
        }
        synchronized (serialLog) {
            try {
                serialLog.write(line + "\n");
                serialLog.flush();
            } catch (IOException e) {
                // the log is a copy; the lines are kept in memory too
            }
        }
        try {
            spec.listener.consoleLine(line);
        } catch (RuntimeException e) {
            // a listener's failure is its own; the console goes on
        }
        watch.console(line);
    }

    // ---- the running boot

    /**
     * Waits for a console line matching {@code regex} (found anywhere in the line), reading on from the
     * line after the previous wait's match; returns the line.
     *
     * @throws BootException {@link Reason#GUEST_FAILURE} when a line that ends a boot comes first
     *                       ({@link #GIVES_UP}: a panic, iPXE giving up, the initramfs's shell),
     *                       {@link Reason#QEMU_EXITED}, or {@link Reason#TIMEOUT}
     */
    public String awaitConsole(String regex, Duration timeout) throws InterruptedException {
        Pattern pattern = Pattern.compile(regex);
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (console) {
            while (true) {
                while (cursor < console.size()) {
                    String line = console.get(cursor++);
                    if (pattern.matcher(line).find()) {
                        return line;
                    }
                    if (GIVES_UP.matcher(line).find()) {
                        failed = true;
                        throw new BootException(Reason.GUEST_FAILURE, "the guest gave up: " + line.strip());
                    }
                }
                if (consoleEnded) {
                    failed = true;
                    throw new BootException(Reason.QEMU_EXITED, qemuEnded() + " before the console showed /" + regex + "/");
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    failed = true;
                    throw new BootException(Reason.TIMEOUT, "the console showed no /" + regex + "/ within "
                            + timeout.toSeconds() + " s");
                }
                TimeUnit.NANOSECONDS.timedWait(console, left);
            }
        }
    }

    /** "QEMU exited with code 1: its first error line". */
    private String qemuEnded() throws InterruptedException {
        qemu.waitFor(5, TimeUnit.SECONDS);
        for (Thread t : readers) {
            t.join(1000);
        }
        String code = qemu.isAlive() ? "QEMU closed its console" : "QEMU exited with code " + qemu.exitValue();
        synchronized (qemuErrors) {
            return qemuErrors.isEmpty() ? code : code + " (" + qemuErrors.get(0) + ")";
        }
    }

    /** Types a line into the serial console, for a shell in the guest. */
    public void send(String line) throws IOException {
        OutputStream in = qemu.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** Waits for QEMU to end by itself (the guest powered off); true when it did in time. */
    public boolean awaitExit(Duration timeout) throws InterruptedException {
        boolean exited = qemu.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        for (Thread t : readers) {
            t.join(2000);
        }
        return exited;
    }

    /** Every console line so far. */
    public List<String> console() {
        synchronized (console) {
            return List.copyOf(console);
        }
    }

    /** The console as one text, for assertion messages. */
    public String transcript() {
        return String.join("\n", console());
    }

    /** The milestones reached so far, in order. */
    public List<Milestone> milestones() {
        return watch.all();
    }

    public boolean reached(Kind kind) {
        return milestones().stream().anyMatch(m -> m.kind() == kind);
    }

    /** What this boot should reach, given its mode, network and images (the caller's own expect line aside). */
    public List<Kind> expectedMilestones() {
        List<Kind> kinds = new ArrayList<>();
        if (target != null) {
            kinds.add(Kind.TARGET_UP);
        }
        if (dnsmasq != null) {
            kinds.add(Kind.DHCP_LEASE);
        }
        if (spec.mode == BootMode.PXE) {
            kinds.add(Kind.TFTP_SENT);
        }
        if (configServer != null) {
            kinds.add(Kind.CONFIG_FETCHED);
        }
        if (spec.mode == BootMode.SANBOOT) {
            kinds.add(Kind.IPXE_ATTACHED);
        }
        kinds.add(Kind.KERNEL_STARTED);
        if (!spec.images.isEmpty()) {
            kinds.add(Kind.AOE_FOUND);
            kinds.add(Kind.ROOT_MOUNTED);
        }
        return kinds;
    }

    /** Time since {@link AoeBoot#start()} began. */
    public Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    public Path workDir() {
        return workDir;
    }

    /** The tap's name, or null on the UDP network. */
    public String tapName() {
        return tap == null ? null : tap.name();
    }

    public List<String> qemuCommand() {
        return qemuCommand;
    }

    /** Shell lines that set this boot up again by hand (also in rerun.sh in the work directory). */
    public List<String> rerunCommands() {
        return List.copyOf(rerun);
    }

    /** Process ids of QEMU and dnsmasq, for checks that nothing outlives {@link #close()}. */
    public List<Long> processIds() {
        List<Long> pids = new ArrayList<>();
        if (qemu != null) {
            pids.add(qemu.pid());
        }
        if (dnsmasq != null) {
            pids.add(dnsmasq.pid());
        }
        return pids;
    }

    /** Whether QEMU runs (started and not ended). */
    boolean running() {
        return qemu != null && qemu.isAlive();
    }

    /** Whether a wait failed or the caller marked the boot failed. */
    boolean failed() {
        return failed;
    }

    /** The guest NIC's MAC address. */
    public String mac() {
        return spec.mac;
    }

    /** Keep the work directory at close, as after a failure. */
    public void markFailed() {
        failed = true;
    }

    /** Whether the work directory stays at close (kept, failed, or the caller's own). */
    public boolean keepsWorkDir() {
        return spec.keepWorkDir || failed || !ownWorkDir;
    }

    /**
     * Stops QEMU (SIGTERM, then SIGKILL), dnsmasq and the target (flushing the images), deletes the tap, and
     * removes the work directory unless it is kept. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        boolean keep = keepsWorkDir();   // before QEMU stops: a wait then ending in failure is not the boot's
        List<RuntimeException> problems = new ArrayList<>();
        if (qemu != null) {
            stop(qemu);
        }
        for (Thread t : readers) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        step(problems, () -> {
            if (dnsmasq != null) {
                dnsmasq.close();
            }
        });
        step(problems, () -> {
            if (configServer != null) {
                configServer.close();
            }
        });
        if (bootTarget != null) {
            bootTarget.close(problems);
        }
        step(problems, () -> {
            if (tap != null) {
                tap.close();
            }
        });
        if (serialLog != null) {
            synchronized (serialLog) {
                step(problems, () -> {
                    try {
                        serialLog.close();
                    } catch (IOException e) {
                        // a copy of the console only
                    }
                });
            }
        }
        if (workDir != null && !keep) {
            DiskImage.deleteTree(workDir);
        }
        endClose(shutdownHook, problems);
    }

    /** The last step of closing a VM or a fleet: its cleanup hook goes, and the first problem met is thrown. */
    static void endClose(Thread shutdownHook, List<RuntimeException> problems) {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // this is the hook
        }
        if (!problems.isEmpty()) {
            throw problems.get(0);
        }
    }

    private static void stop(Process p) {
        p.toHandle().destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void step(List<RuntimeException> problems, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            problems.add(e);
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            System.err.println("aoe boot: cleaning up: " + e.getMessage());
        }
    }
}
