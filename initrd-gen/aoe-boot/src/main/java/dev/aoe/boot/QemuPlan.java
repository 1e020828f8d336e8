package dev.aoe.boot;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One QEMU command line: a PC with one virtio NIC and the serial console on stdio, nothing else
 * ({@code -nodefaults}, no display); {@code -no-reboot} with {@code panic=-1} turns a panic or a reboot
 * into QEMU's exit, unless the machine lets the guest reboot. Firmware (SeaBIOS, iPXE, SYSLINUX) writes only to the screen unless
 * {@code graphics=off} has SeaBIOS copy it to the serial port, which it then always does here.
 * Without a kernel the VM boots from the network through the NIC's iPXE ROM, which is otherwise left
 * out (it only costs time).
 *
 * @param netdev the {@code -netdev} value, with id n0
 * @param kernel {@code -kernel} (a Linux kernel, or ipxe.lkrn), or null to boot from the network
 * @param initrd {@code -initrd}, or null
 * @param append {@code -append}, or null
 */
record QemuPlan(String netdev, Path kernel, Path initrd, String append, Machine machine) {

    /**
     * What the VM has besides its NIC, and the NIC's MAC; {@code extraArgs} come last, so they can add to
     * anything. With {@code reboots}, a guest's reboot restarts it in the same QEMU.
     */
    record Machine(int memoryMiB, int cpus, List<Path> disks, List<String> extraArgs, boolean kvm, String mac,
                   boolean reboots) {
        Machine {
            disks = List.copyOf(disks);
            extraArgs = List.copyOf(extraArgs);
        }

        Machine(int memoryMiB, int cpus, List<Path> disks, List<String> extraArgs, boolean kvm) {
            this(memoryMiB, cpus, disks, extraArgs, kvm, AoeBoot.GUEST_MAC, false);
        }
    }

    List<String> command(Path qemu) {
        boolean networkBoot = kernel == null;
        List<String> c = new ArrayList<>(List.of(qemu.toString(), "-accel", machine.kvm() ? "kvm" : "tcg",
                "-cpu", machine.kvm() ? "host" : "max", "-smp", Integer.toString(machine.cpus()),
                "-m", Integer.toString(machine.memoryMiB()), "-nodefaults", "-display", "none", "-monitor", "none",
                "-serial", "stdio", "-machine", "graphics=off",
                "-netdev", netdev,
                "-device", "virtio-net-pci,netdev=n0,mac=" + machine.mac() + (networkBoot ? "" : ",romfile=")));
        if (!machine.reboots()) {
            c.add(c.indexOf("-serial"), "-no-reboot");
        }
        if (networkBoot) {
            c.addAll(List.of("-boot", "n"));
        } else {
            c.addAll(List.of("-kernel", kernel.toString()));
        }
        if (initrd != null) {
            c.addAll(List.of("-initrd", initrd.toString()));
        }
        if (append != null) {
            c.addAll(List.of("-append", append));
        }
        for (Path disk : machine.disks()) {
            c.addAll(List.of("-drive", "file=" + disk + ",format=raw,if=virtio"));
        }
        c.addAll(machine.extraArgs());
        return c;
    }

    static String tapNetdev(String tap) {
        return "tap,id=n0,ifname=" + tap + ",script=no,downscript=no";
    }

    static String dgramNetdev(int localPort, int remotePort) {
        return "dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port=" + localPort
                + ",remote.type=inet,remote.host=127.0.0.1,remote.port=" + remotePort;
    }

    /** The command as one shell line, quoted where needed. */
    static String shellLine(List<String> command) {
        StringBuilder sb = new StringBuilder();
        for (String word : command) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(word.matches("[A-Za-z0-9_./:=,@%+-]+") ? word : "'" + word.replace("'", "'\\''") + "'");
        }
        return sb.toString();
    }
}
