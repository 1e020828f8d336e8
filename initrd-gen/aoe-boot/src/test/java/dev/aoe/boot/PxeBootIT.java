package dev.aoe.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aoe.boot.BootImages.MarkerRoot;
import dev.aoe.boot.Milestone.Kind;
import dev.aoe.initrd.InitrdBuilder;
import dev.aoe.initrd.InitrdSpec;
import dev.aoe.initrd.image.Compression;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The classic AoE boot recipe: the VM gets no kernel from QEMU; its firmware (QEMU's iPXE ROM) gets an
 * address and boot.ipxe from dnsmasq on the tap, loads the kernel and the initramfs over TFTP, and the
 * initramfs finds its root on AoE. The initramfs's built-in configuration names an interface that does
 * not exist, so the root only comes up with the configuration it fetches over HTTP after ip=dhcp
 * (dnsmasq's second lease), aoe.config=URL.
 */
class PxeBootIT {

    @TempDir
    Path dir;

    @Test
    void firmwareLoadsKernelOverTftpAndTheInitramfsItsConfigurationOverHttp() throws Exception {
        BootImages.requireQemu(BootNetwork.TAP);
        DebianKernel kernel = BootImages.kernel();
        MarkerRoot root = BootImages.markerRoot(dir, 3);
        Path initrd = dir.resolve("initrd.img");
        try (OutputStream out = Files.newOutputStream(initrd)) {
            InitrdBuilder.build(new InitrdSpec(kernel.modulesDir(), List.of("virtio_pci", "virtio_net", "ext4"),
                    List.of("eth9"), List.of(), 6, null, null, false, BootImages.staticBusybox(), null, Compression.NONE, 0), out);
        }
        try (BootedVm vm = AoeBoot.builder().mode(BootMode.PXE).network(BootNetwork.TAP).image(root.image()).initrd(initrd)
                .aoeConfig("AOE_IFACES=\"\"\nTIMEOUT=30\n").tapPrefix(BootImages.TAP_PREFIX).start()) {
            BootImages.bootsToTheMarker(vm, root);
            assertThat(BootImages.kinds(vm)).containsSubsequence(Kind.TARGET_UP, Kind.DHCP_LEASE, Kind.TFTP_SENT,
                    Kind.KERNEL_STARTED, Kind.CONFIG_FETCHED, Kind.AOE_FOUND, Kind.ROOT_MOUNTED);
            assertThat(vm.milestones()).filteredOn(m -> m.kind() == Kind.TFTP_SENT).extracting(Milestone::detail)
                    .containsExactly("boot.ipxe", "vmlinuz", "initrd.img");
            assertThat(vm.console()).as("no -kernel: the firmware booted from the network")
                    .anyMatch(l -> l.contains("Filename: boot.ipxe"))
                    .anyMatch(l -> l.contains("aoe-initrd: configuration from http://"));
            assertThat(vm.qemuCommand()).doesNotContain("-kernel").contains("-boot");
        }
        assertThat(BootImages.readExt4File(root.image(), "/written.txt")).isEqualTo(BootImages.WRITTEN);
    }
}
