package dev.aoe.boot;

import dev.aoe.boot.Milestone.Kind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Recognises milestones in console and dnsmasq lines and keeps them, each kind once (per device or file). */
final class MilestoneWatch {

    private static final Pattern KERNEL = Pattern.compile("Linux version (\\S+)");
    private static final Pattern SAN_ATTACHED = Pattern.compile("Registered SAN device");
    private static final Pattern AOE_FOUND = Pattern.compile("aoe: \\p{XDigit}{12} (e\\d+\\.\\d+) v\\p{XDigit}+ has (\\d+) sectors");
    private static final Pattern EXT4_MOUNTED = Pattern.compile("EXT4-fs \\(([^)]+)\\): mounted filesystem");
    private static final Pattern SWITCHING = Pattern.compile("aoe-initrd: switching to (\\S+)");
    private static final Pattern DHCP_ACK = Pattern.compile("DHCPACK\\(\\S+\\) (\\S+) (\\S+)");
    private static final Pattern TFTP_SENT = Pattern.compile("sent (\\S+) to (\\S+)");

    private final long startNanos;
    private final BootListener listener;
    private final String sanbootDevice;
    private final List<Milestone> reached = new ArrayList<>();

    MilestoneWatch(long startNanos, BootListener listener, String sanbootDevice) {
        this.startNanos = startNanos;
        this.listener = listener;
        this.sanbootDevice = sanbootDevice;
    }

    void console(String line) {
        Matcher m;
        if ((m = KERNEL.matcher(line)).find()) {
            reached(Kind.KERNEL_STARTED, m.group(1));
        } else if (SAN_ATTACHED.matcher(line).find()) {
            reached(Kind.IPXE_ATTACHED, sanbootDevice == null ? "" : sanbootDevice);
        } else if ((m = AOE_FOUND.matcher(line)).find()) {
            reached(Kind.AOE_FOUND, m.group(1) + " (" + m.group(2) + " sectors)");
        } else if ((m = EXT4_MOUNTED.matcher(line)).find()) {
            reached(Kind.ROOT_MOUNTED, "/dev/" + m.group(1).replace('!', '/'));
        } else if ((m = SWITCHING.matcher(line)).find()) {
            reached(Kind.ROOT_MOUNTED, m.group(1));
        }
    }

    void dnsmasq(String line) {
        Matcher m;
        if ((m = DHCP_ACK.matcher(line)).find()) {
            reached(Kind.DHCP_LEASE, m.group(1) + " to " + m.group(2));
        } else if (line.contains("dnsmasq-tftp") && (m = TFTP_SENT.matcher(line)).find()) {
            String file = m.group(1);
            reached(Kind.TFTP_SENT, file.substring(file.lastIndexOf('/') + 1));
        }
    }

    /**
     * Records a milestone unless already there: device and file milestones once per detail (two RAID members
     * are two), the others once.
     */
    void reached(Kind kind, String detail) {
        boolean perDetail = kind == Kind.AOE_FOUND || kind == Kind.TFTP_SENT || kind == Kind.DHCP_LEASE;
        Milestone m;
        synchronized (reached) {
            for (Milestone r : reached) {
                if (r.kind() == kind && (!perDetail || r.detail().equals(detail))) {
                    return;
                }
            }
            m = new Milestone(kind, detail, Duration.ofNanos(System.nanoTime() - startNanos));
            reached.add(m);
        }
        listener.milestone(m);
    }

    List<Milestone> all() {
        synchronized (reached) {
            return List.copyOf(reached);
        }
    }
}
