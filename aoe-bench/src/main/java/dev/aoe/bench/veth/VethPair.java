package dev.aoe.bench.veth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A veth pair with one end in a network namespace of its own, both named {@code aoeb<pid>...}:
 * the outside end for the initiator, the inside end for the target. Needs root.
 */
final class VethPair implements AutoCloseable {

    private final String namespace;
    private final String outside;
    private final String inside;

    private VethPair(String tag, boolean namespaced) {
        this.namespace = namespaced ? "aoeb" + tag : null;
        this.outside = "aoeb" + tag + "o";
        this.inside = "aoeb" + tag + "i";
    }

    static VethPair create(int mtu) throws IOException, InterruptedException {
        return create(mtu, "");
    }

    /** A pair whose names end in {@code suffix}, for a process that needs more than one. */
    static VethPair create(int mtu, String suffix) throws IOException, InterruptedException {
        return create(mtu, suffix, true);
    }

    /**
     * A pair with both ends in this namespace (no namespace of its own): for a relay in this process
     * between a target's pair and an initiator in this process.
     */
    static VethPair createLocal(int mtu, String suffix) throws IOException, InterruptedException {
        return create(mtu, suffix, false);
    }

    private static VethPair create(int mtu, String suffix, boolean namespaced) throws IOException, InterruptedException {
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("the veth benchmarks create a network namespace: run them as root");
        }
        VethPair pair = new VethPair(ProcessHandle.current().pid() + suffix, namespaced);
        try {
            if (namespaced) {
                run("ip", "netns", "add", pair.namespace);
            }
            run("ip", "link", "add", pair.outside, "type", "veth", "peer", "name", pair.inside);
            if (namespaced) {
                run("ip", "link", "set", pair.inside, "netns", pair.namespace);
                run("ip", "-n", pair.namespace, "link", "set", pair.inside, "mtu", Integer.toString(mtu), "up");
            } else {
                run("ip", "link", "set", pair.inside, "mtu", Integer.toString(mtu), "up");
                run("sysctl", "-q", "-w", "net.ipv6.conf." + pair.inside + ".disable_ipv6=1");
            }
            run("ip", "link", "set", pair.outside, "mtu", Integer.toString(mtu), "up");
            run("sysctl", "-q", "-w", "net.ipv6.conf." + pair.outside + ".disable_ipv6=1");
        } catch (IOException | RuntimeException e) {
            pair.close();
            throw e;
        }
        return pair;
    }

    /**
     * {@code n} macvlan interfaces on the outside end, each with a MAC of its own: one initiator with
     * several links looks like several clients to the target. They go when the pair does.
     */
    List<String> macvlans(int n, int mtu) throws IOException, InterruptedException {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = outside.substring(0, outside.length() - 1) + "m" + i;
            run("ip", "link", "add", name, "link", outside, "type", "macvlan", "mode", "bridge");
            run("sysctl", "-q", "-w", "net.ipv6.conf." + name + ".disable_ipv6=1");
            run("ip", "link", "set", name, "mtu", Integer.toString(mtu), "up");
            names.add(name);
        }
        return names;
    }

    String outside() {
        return outside;
    }

    String inside() {
        return inside;
    }

    /** A command line that runs {@code command} inside the namespace. */
    List<String> exec(List<String> command) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        all.addAll(command);
        return all;
    }

    /** Frames the inside end has received, as the kernel counts them. */
    long insideRxPackets() throws IOException, InterruptedException {
        return Long.parseLong(output("ip", "netns", "exec", namespace, "cat",
                "/sys/class/net/" + inside + "/statistics/rx_packets").trim());
    }

    static void run(String... command) throws IOException, InterruptedException {
        output(command);
    }

    private static String output(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out.trim());
        }
        return out;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        new ProcessBuilder("ip", "link", "del", outside).start().waitFor();
        if (namespace != null) {
            new ProcessBuilder("ip", "netns", "del", namespace).start().waitFor();
            Files.deleteIfExists(Path.of("/var/run/netns", namespace));
        }
    }
}
