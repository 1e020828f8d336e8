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
    /** The guest's MAC address. */
    public static final String GUEST_MAC = "52:54:00:12:34:56";

    final List<ImageExport> images = new ArrayList<>();
    Path kernel;
    Path initrd;
    String append = "";
    BootMode mode = BootMode.DIRECT;
    BootNetwork network = HostCommand.isRoot() ? BootNetwork.TAP : BootNetwork.UDP;
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

    private AoeBoot() {
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
