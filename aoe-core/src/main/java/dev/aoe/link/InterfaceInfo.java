package dev.aoe.link;

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

    private static boolean isSafeName(String name) {
        return !name.isEmpty() && name.length() <= 15 && !name.contains("/") && !name.equals(".") && !name.equals("..");
    }
}
