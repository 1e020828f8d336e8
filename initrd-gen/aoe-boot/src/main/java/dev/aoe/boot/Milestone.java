package dev.aoe.boot;

import java.time.Duration;
import java.util.Locale;

/**
 * A step a boot reached, with what it concerned and when (since {@link AoeBoot#start()} began).
 *
 * @param detail the device, file, address or version concerned; may be empty
 */
public record Milestone(Kind kind, String detail, Duration at) {

    /** The steps, in the order a boot normally reaches them. */
    public enum Kind {
        /** The built-in target serves the images. */
        TARGET_UP("target up"),
        /** dnsmasq acknowledged a DHCP lease (firmware's, or the initramfs's with ip=dhcp). */
        DHCP_LEASE("DHCP lease served"),
        /** dnsmasq sent a file over TFTP (the iPXE script, the kernel, the initramfs). */
        TFTP_SENT("TFTP sent"),
        /** The initramfs fetched its configuration (aoe.config=URL) from the built-in HTTP server. */
        CONFIG_FETCHED("configuration fetched"),
        /** iPXE attached the AoE disk for sanboot ("Registered SAN device"). */
        IPXE_ATTACHED("iPXE attached"),
        /** The kernel printed its first line ("Linux version"). */
        KERNEL_STARTED("kernel started"),
        /** Linux's aoe driver found a device ("aoe: ... e0.1 ... has N sectors"). */
        AOE_FOUND("initramfs found"),
        /** The root file system is mounted (ext4's mount line, or the initramfs's "switching to"). */
        ROOT_MOUNTED("root mounted"),
        /** The console showed the line the caller waited for. */
        EXPECT_MATCHED("expected line seen");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** {@code 12.3 s  kernel started 6.1.0-57-amd64}. */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%5.1f s  %s%s", at.toMillis() / 1000.0, kind.label(),
                detail.isEmpty() ? "" : " " + detail);
    }
}
