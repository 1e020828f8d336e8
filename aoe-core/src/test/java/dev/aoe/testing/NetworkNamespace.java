package dev.aoe.testing;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network namespace and a veth pair a test creates and removes: {@code outside} stays in the
 * host's namespace, {@code inside} moves into the namespace. Names carry the project prefix
 * {@value #PREFIX} and the process id, so parallel runs and other projects never collide.
 */
public final class NetworkNamespace implements AutoCloseable {

    public static final String PREFIX = "aoet";
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final String name;
    private final String outside;
    private final String inside;

    private NetworkNamespace(String name, String outside, String inside) {
        this.name = name;
        this.outside = outside;
        this.inside = inside;
    }

    /** Creates the namespace and the pair, both ends up with the given MTU and IPv6 off (quiet links). */
    public static NetworkNamespace create(int mtu) throws IOException, InterruptedException {
        Prerequisites.requireRoot();
        Prerequisites.requireCommand("ip", "iproute2");
        String id = ProcessHandle.current().pid() % 100000 + "x" + COUNTER.incrementAndGet();
        NetworkNamespace ns = new NetworkNamespace(PREFIX + "ns" + id, PREFIX + id + "a", PREFIX + id + "b");
        try {
            Processes.check("ip", "netns", "add", ns.name);
            Processes.check("ip", "link", "add", ns.outside, "type", "veth", "peer", "name", ns.inside);
            Processes.check("ip", "link", "set", ns.inside, "netns", ns.name);
            quiet(ns, ns.outside);
            quiet(ns, ns.inside);
            Processes.check("ip", "link", "set", ns.outside, "mtu", Integer.toString(mtu), "up");
            Processes.check("ip", "-n", ns.name, "link", "set", ns.inside, "mtu", Integer.toString(mtu), "up");
            Processes.check("ip", "-n", ns.name, "link", "set", "lo", "up");
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /**
     * IPv6 off on a test interface, so its traffic is AoE only; a kernel without IPv6 has nothing to turn off,
     * so a failure here is not one.
     */
    private static void quiet(NetworkNamespace ns, String iface) throws IOException, InterruptedException {
        String key = "net.ipv6.conf." + iface + ".disable_ipv6=1";
        if (iface.equals(ns.outside)) {
            Processes.run(java.util.List.of("sysctl", "-qw", key));
        } else {
            Processes.run(java.util.List.of("ip", "netns", "exec", ns.name, "sysctl", "-qw", key));
        }
    }

    public String name() {
        return name;
    }

    public String outside() {
        return outside;
    }

    public String inside() {
        return inside;
    }

    /** Prefix for running a command inside the namespace. */
    public String[] exec(String... command) {
        String[] full = new String[command.length + 4];
        full[0] = "ip";
        full[1] = "netns";
        full[2] = "exec";
        full[3] = name;
        System.arraycopy(command, 0, full, 4, command.length);
        return full;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (outside != null) {
            Processes.run(java.util.List.of("ip", "link", "del", outside));
        }
        Processes.run(java.util.List.of("ip", "netns", "del", name));   // takes the veth end inside with it
    }
}
