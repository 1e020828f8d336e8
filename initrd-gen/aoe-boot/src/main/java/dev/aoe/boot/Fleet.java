package dev.aoe.boot;

import dev.aoe.boot.BootException.Reason;
import dev.aoe.ethernet.MacAddress;
import dev.aoe.link.LinkException;
import dev.aoe.link.udp.UdpLink;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One target and many VMs: the images exported once on a UDP link (which learns each VM's port from its
 * frames, as a switch would), and direct boots of as many VMs as wanted, concurrently, each with its own
 * MAC. With {@link AoeBoot#overlay(Path)} every VM boots one golden image through its own persistent
 * copy-on-write overlay, so the image is never written and each MAC finds its own changes again.
 *
 * <pre>{@code
 * try (Fleet fleet = AoeBoot.builder().image(golden).overlay(overlays).guestReboots(true).fleet()) {
 *     BootedVm a = fleet.boot("52:54:00:aa:00:01");
 *     BootedVm b = fleet.boot("52:54:00:aa:00:02");
 *     a.awaitConsole("login:", Duration.ofMinutes(5));
 *     b.awaitConsole("login:", Duration.ofMinutes(5));
 * }   // the VMs, then the target (flushing the overlays); the work directory unless kept or a VM failed
 * }</pre>
 *
 * The kernel and initramfs are resolved or built once for all VMs, which boot with {@code no_timer_check}
 * (several TCG guests on few cores can fail Linux's IO-APIC timer check and panic). Each VM works in a
 * subdirectory of the fleet's work directory (its console.log, rerun.sh).
 */
public final class Fleet implements AutoCloseable {

    /**
     * Several TCG guests on few host cores: Linux's check that the IO-APIC timer ticks can miss its ticks
     * and panic ("IO-APIC + timer doesn't work!"), so fleet VMs skip it, as cloud images do.
     */
    static final String NO_TIMER_CHECK = "no_timer_check";

    private final AoeBoot spec;
    private final Path workDir;
    private final boolean ownWorkDir;
    private final Thread shutdownHook = new Thread(this::closeQuietly, "aoe-fleet-cleanup");
    private final List<BootedVm> vms = new ArrayList<>();
    private BootTarget bootTarget;
    private int port;
    private boolean closed;

    private Fleet(AoeBoot spec, Path workDir, boolean ownWorkDir) {
        this.spec = spec;
        this.workDir = workDir;
        this.ownWorkDir = ownWorkDir;
    }

    static Fleet start(AoeBoot given) {
        if (given.mode != BootMode.DIRECT) {
            throw bad("a fleet boots its VMs directly (QEMU's -kernel); PXE and sanboot take one VM per boot");
        }
        if (given.networkChosen && given.network != BootNetwork.UDP) {
            throw bad("a fleet's VMs reach its target over UDP (one tap would serve one VM); leave out the network");
        }
        if (given.images.isEmpty()) {
            throw bad("a fleet needs an image to boot from");
        }
        if (!given.disks.isEmpty() || given.aoeConfig != null || given.serialLog != null) {
            throw bad("a fleet takes no local disks, served configuration or serial log file (each VM has its own"
                    + " console.log)");
        }
        AoeBoot spec = given.copy().network(BootNetwork.UDP);
        if (!(" " + spec.append).contains(" " + NO_TIMER_CHECK)) {
            spec.append(NO_TIMER_CHECK + " " + spec.append);
        }
        RootLayout layout = BootedVm.validate(spec);
        Path dir;
        try {
            dir = spec.workDir != null ? Files.createDirectories(spec.workDir) : Files.createTempDirectory("aoe-fleet-");
        } catch (IOException e) {
            throw new BootException(Reason.ENVIRONMENT, "cannot make the work directory: " + e.getMessage(), e);
        }
        Fleet fleet = new Fleet(spec, dir, spec.workDir == null);
        Runtime.getRuntime().addShutdownHook(fleet.shutdownHook);
        try {
            fleet.launch(layout);
        } catch (RuntimeException e) {
            fleet.closeQuietly();
            throw e;
        }
        return fleet;
    }

    private synchronized void launch(RootLayout layout) {
        if (spec.kernel == null) {
            DebianKernel debian = DebianKernel.get();
            spec.kernel(debian.vmlinux());
            if (spec.initrd == null) {
                spec.initrd(BootedVm.buildInitrd(spec, debian.modulesDir(), layout, workDir));
            }
        } else if (spec.initrd == null) {
            spec.initrd(BootedVm.buildInitrd(spec, Initramfs.modulesOf(spec.kernel), layout, workDir));
        }
        UdpLink link;
        try {
            link = UdpLink.open(new InetSocketAddress("127.0.0.1", 0), null, null, spec.mtu);
        } catch (LinkException e) {
            throw new BootException(Reason.ENVIRONMENT, "the target cannot open its link: " + e.getMessage(), e);
        }
        port = link.localAddress().getPort();
        bootTarget = BootTarget.prepare(spec.images, spec.overlay, link, "udp:" + port);
        try {
            Files.writeString(workDir.resolve("exports.conf"), bootTarget.config());
        } catch (IOException e) {
            throw new BootException(Reason.ENVIRONMENT, "cannot write exports.conf: " + e.getMessage(), e);
        }
        bootTarget.target().start();
        spec.fleetPort = port;
    }

    /**
     * Starts a VM with this MAC on the fleet's target and returns it running; closing it stops only that
     * VM. The same MAC may boot again once its previous VM has ended (its overlay is the same).
     *
     * @throws BootException {@link Reason#BAD_INPUT} for a MAC that is not one or that a running VM has
     */
    public synchronized BootedVm boot(String mac) {
        if (closed) {
            throw new BootException(Reason.ENVIRONMENT, "the fleet is closed");
        }
        AoeBoot vm = spec.copy().mac(mac);
        BootedVm.validate(vm);   // the MAC, before it names a directory
        String normal = MacAddress.parse(mac).toString();
        for (BootedVm other : vms) {
            if (other.running() && MacAddress.parse(other.mac()).toString().equals(normal)) {
                throw bad("MAC " + normal + " already boots in this fleet");
            }
        }
        vm.workDir(workDir.resolve("vm" + (vms.size() + 1) + "-" + normal.replace(':', '-')));
        BootedVm started = BootedVm.start(vm);
        vms.add(started);
        return started;
    }

    /** Every VM booted so far, running or not, in order. */
    public synchronized List<BootedVm> vms() {
        return List.copyOf(vms);
    }

    /** The UDP port on 127.0.0.1 where the target listens. */
    public int port() {
        return port;
    }

    public Path workDir() {
        return workDir;
    }

    /**
     * Stops every VM, then the target (flushing the images or overlays), and removes the work directory unless
     * it was given, kept, or a VM failed. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<RuntimeException> problems = new ArrayList<>();
        boolean keep = spec.keepWorkDir || !ownWorkDir;
        for (BootedVm vm : vms) {
            keep |= vm.failed();
            try {
                vm.close();
            } catch (RuntimeException e) {
                problems.add(e);
            }
        }
        if (bootTarget != null) {
            bootTarget.close(problems);
        }
        if (!keep && problems.isEmpty()) {
            DiskImage.deleteTree(workDir);
        }
        BootedVm.endClose(shutdownHook, problems);
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            System.err.println("aoe boot: cleaning up the fleet: " + e.getMessage());
        }
    }

    private static BootException bad(String message) {
        return new BootException(Reason.BAD_INPUT, message);
    }
}
