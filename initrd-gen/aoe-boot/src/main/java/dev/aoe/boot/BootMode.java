package dev.aoe.boot;

/**
 * How the VM finds its kernel. Which networks carry each: {@link #DIRECT} and {@link #SANBOOT} work over
 * both; {@link #PXE} needs {@link BootNetwork#TAP}, since DHCP and TFTP need a server on a real interface
 * and QEMU's dgram socket carries nothing but our own frames.
 */
public enum BootMode {
    /** QEMU's {@code -kernel}, {@code -initrd} and {@code -append}, the root on {@code /dev/etherd/eX.Y}. */
    DIRECT,
    /**
     * The firmware (QEMU's iPXE ROM) gets an address and a boot script from dnsmasq on the tap, loads the
     * kernel and initramfs over TFTP; the initramfs then finds its root on AoE.
     */
    PXE,
    /**
     * iPXE's AoE SAN boot of a whole-disk image ({@link DiskImage}): the disk's boot loader reads the
     * kernel through iPXE's INT 13h, then the kernel's aoe driver takes over. Over UDP Debian's
     * {@code ipxe.lkrn} runs a script ({@code sanboot aoe:e0.1}, no DHCP); over a tap QEMU's own iPXE ROM
     * gets the root path {@code aoe:e0.1} from dnsmasq.
     */
    SANBOOT
}
