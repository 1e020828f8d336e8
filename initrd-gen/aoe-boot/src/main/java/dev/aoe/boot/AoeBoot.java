package dev.aoe.boot;

import dev.aoe.link.spec.LinkKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What to boot and how: the images to export, the kernel and initramfs (Debian's kernel and an
 * initramfs built for it by default), the boot mode and the network. {@link #start()} exports the
 * images with the target in-process, starts QEMU and returns the running {@link BootedVm}.
 *
 * <pre>{@code
 * try (BootedVm vm = AoeBoot.builder().image(Path.of("root.img")).network(BootNetwork.UDP).start()) {
 *     vm.awaitConsole("aoe-initrd: switching to", Duration.ofMinutes(2));
 * }
 * }</pre>
 */
public final class AoeBoot {

    /** What the default initramfs prints once the root is mounted, just before it runs init. */
    public static final String DEFAULT_EXPECT = "aoe-initrd: switching to ";
    /** The guest's MAC address unless {@link #mac} gives another. */
    public static final String GUEST_MAC = "52:54:00:12:34:56";

    final List<ImageExport> images = new ArrayList<>();
    Path kernel;
    Path initrd;
    String append = "";
    BootMode mode = BootMode.DIRECT;
    BootNetwork network = HostCommand.isRoot() ? BootNetwork.TAP : BootNetwork.UDP;
    boolean networkChosen;
    int mtu = 1500;
    int memoryMiB = 512;
    int cpus = 1;
    boolean kvm;
    final List<String> qemuArgs = new ArrayList<>();
    final List<Path> disks = new ArrayList<>();
    LinkKind targetLink = LinkKind.AFPACKET;
    String tapPrefix = "aoetap";
    Path workDir;
    boolean keepWorkDir;
    Path serialLog;
    BootListener listener = new BootListener() { };
    String aoeConfig;
    String mac = GUEST_MAC;
    Path overlay;
    boolean guestReboots;
    /** The UDP port of a {@link Fleet}'s target that this VM boots from instead of a target of its own; 0 none. */
    int fleetPort;

    private AoeBoot() {
    }

    /** A copy to change for one VM of a {@link Fleet}. */
    AoeBoot copy() {
        AoeBoot c = new AoeBoot();
        c.images.addAll(images);
        c.kernel = kernel;
        c.initrd = initrd;
        c.append = append;
        c.mode = mode;
        c.network = network;
        c.networkChosen = networkChosen;
        c.mtu = mtu;
        c.memoryMiB = memoryMiB;
        c.cpus = cpus;
        c.kvm = kvm;
        c.qemuArgs.addAll(qemuArgs);
        c.disks.addAll(disks);
        c.targetLink = targetLink;
        c.tapPrefix = tapPrefix;
        c.workDir = workDir;
        c.keepWorkDir = keepWorkDir;
        c.serialLog = serialLog;
        c.listener = listener;
        c.aoeConfig = aoeConfig;
        c.mac = mac;
        c.overlay = overlay;
        c.guestReboots = guestReboots;
        c.fleetPort = fleetPort;
        return c;
    }

    public static AoeBoot builder() {
        return new AoeBoot();
    }

    /** Exports {@code file} as the next free e0.N (e0.1 first). */
    public AoeBoot image(Path file) {
        int slot = images.stream().filter(i -> i.shelf() == 0).mapToInt(ImageExport::slot).max().orElse(0) + 1;
        return image(new ImageExport(0, slot, file));
    }

    public AoeBoot image(ImageExport image) {
        images.add(image);
        return this;
    }

    /** A bzImage or ELF vmlinux (default: {@link DebianKernel}, its vmlinux for direct boots). */
    public AoeBoot kernel(Path file) {
        this.kernel = file;
        return this;
    }

    /**
     * The initramfs (default: initrd-gen's for the kernel's modules, waiting for every image, with mdadm or
     * lvm when the images hold RAID members or a physical volume).
     */
    public AoeBoot initrd(Path file) {
        this.initrd = file;
        return this;
    }

    /**
     * Kernel arguments after {@code console=ttyS0 panic=-1} and, unless these name one, the {@code root=}
     * the images' layout gives ({@link RootLayout}) with {@code rw}.
     */
    public AoeBoot append(String arguments) {
        this.append = arguments == null ? "" : arguments.strip();
        return this;
    }

    public AoeBoot mode(BootMode value) {
        this.mode = value;
        return this;
    }

    /** Default: {@link BootNetwork#TAP} as root, {@link BootNetwork#UDP} otherwise. */
    public AoeBoot network(BootNetwork value) {
        this.network = value;
        this.networkChosen = true;
        return this;
    }

    /** The MTU of the tap or UDP link, and the one the default initramfs sets in the guest (default 1500). */
    public AoeBoot mtu(int value) {
        this.mtu = value;
        return this;
    }

    public AoeBoot memoryMiB(int value) {
        this.memoryMiB = value;
        return this;
    }

    public AoeBoot cpus(int value) {
        this.cpus = value;
        return this;
    }

    /**
     * Use KVM instead of TCG (default off: TCG works everywhere, while a /dev/kvm can be there and still fail,
     * as under nested virtualisation).
     */
    public AoeBoot kvm(boolean value) {
        this.kvm = value;
        return this;
    }

    /** One more QEMU argument, after ours. */
    public AoeBoot qemuArg(String argument) {
        qemuArgs.add(argument);
        return this;
    }

    /** A raw image the guest sees as a local virtio disk (/dev/vda, /dev/vdb, ...), not over AoE. */
    public AoeBoot disk(Path file) {
        disks.add(file);
        return this;
    }

    /** How the target reaches the tap: afpacket (default) or pcap. */
    public AoeBoot targetLink(LinkKind kind) {
        this.targetLink = kind;
        return this;
    }

    /** The start of the tap's name (default aoetap; at most 7 characters). */
    public AoeBoot tapPrefix(String prefix) {
        this.tapPrefix = prefix;
        return this;
    }

    /**
     * Work in this directory, which stays (default: a new one in /tmp, removed unless kept or the boot failed).
     * For PXE, dnsmasq's TFTP (running as nobody) must reach it: every parent searchable by others.
     */
    public AoeBoot workDir(Path dir) {
        this.workDir = dir;
        return this;
    }

    public AoeBoot keepWorkDir(boolean keep) {
        this.keepWorkDir = keep;
        return this;
    }

    /** Where to write the console lines (default: console.log in the work directory). */
    public AoeBoot serialLog(Path file) {
        this.serialLog = file;
        return this;
    }

    public AoeBoot listener(BootListener value) {
        this.listener = value;
        return this;
    }

    /**
     * Serve this /etc/aoe-initrd.conf over HTTP on the tap and boot with {@code ip=dhcp aoe.config=URL}
     * (a tap only; dnsmasq gives the initramfs its address).
     */
    public AoeBoot aoeConfig(String config) {
        this.aoeConfig = config;
        return this;
    }

    /** The guest NIC's MAC address, aa:bb:cc:dd:ee:ff (default {@link #GUEST_MAC}); an overlay's client is its MAC. */
    public AoeBoot mac(String value) {
        this.mac = value;
        return this;
    }

    /**
     * Export the one image as a read-only base with per-client copy-on-write overlays kept in {@code dir}
     * (persistent: a client's overlay outlives the boot; {@code ./aoe overlay list DIR} shows them). The
     * image is never written, and need not be writable.
     */
    public AoeBoot overlay(Path dir) {
        this.overlay = dir;
        return this;
    }

    /**
     * Let a guest's reboot restart it in the same QEMU, with the same kernel, initramfs and arguments
     * (default off: QEMU's {@code -no-reboot} ends QEMU instead). A panic still fails the wait that sees it.
     */
    public AoeBoot guestReboots(boolean value) {
        this.guestReboots = value;
        return this;
    }

    /**
     * Exports the images once, on a UDP link, and returns the {@link Fleet} that boots VMs from them,
     * as many and as often as wanted ({@link Fleet#boot(String)}, one MAC each); direct boots only.
     */
    public Fleet fleet() {
        return Fleet.start(this);
    }

    /**
     * Exports the images, starts dnsmasq and QEMU as the mode and network need; on failure everything
     * started is removed again.
     *
     * @throws BootException with {@link BootException.Reason#BAD_INPUT} before anything started when an
     *                       argument is wrong, {@link BootException.Reason#ENVIRONMENT} when a tool,
     *                       privilege or port is missing
     */
    public BootedVm start() {
        return BootedVm.start(this);
    }
}
