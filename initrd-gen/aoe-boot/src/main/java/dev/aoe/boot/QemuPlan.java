package dev.aoe.boot;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One QEMU command line: a PC with one virtio NIC and the serial console on stdio, nothing else
 * ({@code -nodefaults}, no display); {@code -no-reboot} with {@code panic=-1} turns a panic or a reboot
 * into QEMU's exit. Firmware (SeaBIOS, iPXE, SYSLINUX) writes only to the screen unless
 * {@code graphics=off} has SeaBIOS copy it to the serial port.
 *
 * @param netdev           the {@code -netdev} value, with id n0
 * @param kernel           {@code -kernel}, or null
 * @param initrd           {@code -initrd}, or null
 * @param append           {@code -append}, or null
 * @param optionRom        keep the NIC's iPXE ROM (PXE and the ROM's sanboot need it; else it only costs time)
 * @param firmwareOnSerial {@code -machine graphics=off}
 * @param networkBoot      {@code -boot n}
 * @param kvm              use KVM instead of TCG
 */
record QemuPlan(String netdev, Path kernel, Path initrd, String append, boolean optionRom, boolean firmwareOnSerial,
                boolean networkBoot, int memoryMiB, int cpus, List<Path> disks, List<String> extraArgs, boolean kvm) {

    List<String> command(Path qemu) {
        List<String> c = new ArrayList<>(List.of(qemu.toString(), "-accel", kvm ? "kvm" : "tcg", "-cpu", kvm ? "host" : "max",
                "-smp", Integer.toString(cpus), "-m", Integer.toString(memoryMiB), "-nodefaults", "-display", "none",
                "-monitor", "none", "-no-reboot", "-serial", "stdio"));
        if (firmwareOnSerial) {
            c.addAll(List.of("-machine", "graphics=off"));
        }
        c.addAll(List.of("-netdev", netdev,
                "-device", "virtio-net-pci,netdev=n0,mac=" + AoeBoot.GUEST_MAC + (optionRom ? "" : ",romfile=")));
        if (kernel != null) {
            c.addAll(List.of("-kernel", kernel.toString()));
        }
        if (initrd != null) {
            c.addAll(List.of("-initrd", initrd.toString()));
        }
        if (append != null) {
            c.addAll(List.of("-append", append));
        }
        if (networkBoot) {
            c.addAll(List.of("-boot", "n"));
        }
        for (Path disk : disks) {
            c.addAll(List.of("-drive", "file=" + disk + ",format=raw,if=virtio"));
        }
        c.addAll(extraArgs);
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
