package dev.aoe.boot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tap device in the host's network namespace, created for one boot and deleted after it: QEMU's NIC
 * on one side, the target (and dnsmasq) on the other. Its name is a prefix, our process id and a
 * counter, at most 15 characters, and never one that exists already.
 */
final class Tap implements AutoCloseable {

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final String name;

    private Tap(String name) {
        this.name = name;
    }

    /**
     * Creates the tap, up with the given MTU. IPv6 stays on only when {@code ipv6} (dnsmasq's router
     * advertisements need it); otherwise the link carries AoE and nothing else from the host.
     */
    static Tap create(String prefix, int mtu, boolean ipv6) {
        HostCommand.require("ip", "iproute2");
        String name;
        do {
            name = prefix + ProcessHandle.current().pid() % 100000 + "x" + COUNTER.incrementAndGet();
        } while (Files.exists(Path.of("/sys/class/net", name)));
        if (name.length() > 15) {
            throw new BootException(BootException.Reason.BAD_INPUT, "tap prefix '" + prefix + "' is too long for "
                    + "an interface name of 15 characters");
        }
        HostCommand.run("ip", "tuntap", "add", "dev", name, "mode", "tap");
        Tap tap = new Tap(name);
        try {
            if (!ipv6) {
                Path knob = Path.of("/proc/sys/net/ipv6/conf", name, "disable_ipv6");
                if (Files.exists(knob)) {
                    Files.writeString(knob, "1");
                }
            }
            HostCommand.run("ip", "link", "set", "dev", name, "mtu", Integer.toString(mtu), "up");
        } catch (RuntimeException | IOException e) {
            tap.close();
            throw e instanceof BootException b ? b
                    : new BootException(BootException.Reason.ENVIRONMENT, name + ": " + e.getMessage(), e);
        }
        return tap;
    }

    String name() {
        return name;
    }

    /** Adds an address (192.0.2.1/24, 2001:db8::1/64) for dnsmasq to serve from. */
    void addAddress(String cidr) {
        if (cidr.contains(":")) {
            HostCommand.run("ip", "-6", "addr", "add", cidr, "dev", name, "nodad");
        } else {
            HostCommand.run("ip", "addr", "add", cidr, "dev", name);
        }
    }

    /**
     * Waits until the tap has a carrier, which it gets when QEMU attaches; until then the kernel drops
     * what is sent on it. The kernel offers no notification short of netlink, so this looks every 20 ms.
     */
    void awaitCarrier(Duration timeout) {
        Path carrier = Path.of("/sys/class/net", name, "carrier");
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                try {
                    if (Files.readString(carrier).strip().equals("1")) {
                        return;
                    }
                } catch (IOException e) {
                    // no carrier yet: reading the file fails with EINVAL while the link is down
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (Files.exists(Path.of("/sys/class/net", name))) {
            HostCommand.run("ip", "link", "del", "dev", name);
        }
    }
}
