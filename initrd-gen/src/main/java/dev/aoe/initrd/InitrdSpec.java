package dev.aoe.initrd;

import dev.aoe.initrd.image.Compression;
import java.nio.file.Path;
import java.util.List;

/**
 * What to put in an AoE boot image.
 *
 * @param kernelModules a {@code lib/modules/VERSION} tree
 * @param modules       modules to load (their dependencies come along); empty for the defaults
 * @param aoeIfaces     interfaces (names or MACs) for AoE; empty for every Ethernet link
 * @param waitDevices   AoE devices (e0.1) to wait for; a root= on AoE is waited for anyway
 * @param timeoutSeconds how long linuxrc waits for the devices
 * @param mtu           MTU to set on the AoE interfaces, or null to leave it
 * @param mdadmConf     ship mdadm with this mdadm.conf and assemble arrays, or null
 * @param lvm           ship lvm and activate volume groups
 * @param busybox       a statically linked busybox
 * @param configFile    a config file to use instead of the generated one, or null
 * @param mtime         the time every entry gets (SOURCE_DATE_EPOCH, or 0)
 */
public record InitrdSpec(Path kernelModules, List<String> modules, List<String> aoeIfaces, List<String> waitDevices,
                         int timeoutSeconds, Integer mtu, Path mdadmConf, boolean lvm, Path busybox, Path configFile,
                         Compression compression, long mtime) {

    /** When no module is named: the NICs QEMU and most servers use, ext4 for the root, and aoe. */
    public static final List<String> DEFAULT_MODULES = List.of("virtio_pci", "virtio_net", "e1000", "e1000e", "ext4");
}
