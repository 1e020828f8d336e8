package dev.aoe.link;

import dev.aoe.ethernet.MacAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What Linux reports about a network interface under {@code /sys/class/net}. */
public record InterfaceInfo(String name, MacAddress mac, int mtu, boolean up) {

    private static final Path SYS_NET = Path.of("/sys/class/net");

    public static boolean exists(String name) {
        return isSafeName(name) && Files.isDirectory(SYS_NET.resolve(name));
    }

    /** Reads an interface's MAC, MTU and state; a clear {@link LinkException} when it does not exist. */
    public static InterfaceInfo of(String name) {
        if (!exists(name)) {
            throw new LinkException("network interface '" + name + "' not found (see 'ip link')");
        }
        Path dir = SYS_NET.resolve(name);
        try {
            MacAddress mac = MacAddress.parse(Files.readString(dir.resolve("address")));
            int mtu = Integer.parseInt(Files.readString(dir.resolve("mtu")).trim());
            boolean up = (Integer.decode(Files.readString(dir.resolve("flags")).trim()) & 1) != 0;
            return new InterfaceInfo(name, mac, mtu, up);
        } catch (IOException | IllegalArgumentException e) {
            throw new LinkException("cannot read " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Every Ethernet interface that is up (ARPHRD_ETHER, not loopback), by name: what the initiator
     * commands use when no --iface is given, as aoe-discover does.
     */
    public static java.util.List<String> upEthernet() {
        java.util.List<String> names = new java.util.ArrayList<>();
        try (java.util.stream.Stream<Path> dirs = Files.list(SYS_NET)) {
            for (Path dir : dirs.sorted().toList()) {
                String name = dir.getFileName().toString();
                try {
                    int type = Integer.parseInt(Files.readString(dir.resolve("type")).trim());
                    int flags = Integer.decode(Files.readString(dir.resolve("flags")).trim());
                    if (type == 1 && (flags & 1) != 0 && (flags & 8) == 0) {
                        names.add(name);
                    }
                } catch (IOException | NumberFormatException e) {
                    // an interface that vanished or says nothing useful: skip it
                }
            }
        } catch (IOException e) {
            throw new LinkException("cannot list network interfaces: " + e.getMessage(), e);
        }
        return names;
    }

    private static boolean isSafeName(String name) {
        return !name.isEmpty() && name.length() <= 15 && !name.contains("/") && !name.equals(".") && !name.equals("..");
    }
}
