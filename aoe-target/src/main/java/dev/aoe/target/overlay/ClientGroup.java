package dev.aoe.target.overlay;

import dev.aoe.ethernet.MacAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.regex.Pattern;

/**
 * MAC addresses that are one client with one overlay (a machine with two interfaces, a multipath
 * initiator): a {@code client NAME MAC[,MAC...]} line of the target's configuration. A MAC in no group
 * is a client of its own, named after it ({@link #nameOf}).
 */
public record ClientGroup(String name, List<MacAddress> macs) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern MAC_NAME = Pattern.compile("(\\p{XDigit}{2}-){5}\\p{XDigit}{2}");

    /**
     * @throws IllegalArgumentException with a one-line reason: a name that is not 1-64 letters, digits,
     *                                  '.', '_' or '-' (first a letter or digit), a name in the form
     *                                  MAC names take, no MAC or a MAC twice
     */
    public ClientGroup {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("client name '" + name + "' is not 1-64 letters, digits, '.', '_'"
                    + " or '-' starting with a letter or digit");
        }
        if (MAC_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("client name '" + name + "' looks like a MAC's own name"
                    + " (aa-bb-cc-dd-ee-ff): choose another");
        }
        if (macs.isEmpty()) {
            throw new IllegalArgumentException("client " + name + " has no MAC address");
        }
        if (new HashSet<>(macs).size() != macs.size()) {
            throw new IllegalArgumentException("client " + name + " lists a MAC address twice");
        }
        macs = List.copyOf(macs);
    }

    /** Parses {@code client NAME MAC[,MAC...]}; throws IllegalArgumentException with a one-line reason. */
    public static ClientGroup parse(String line) {
        String[] words = line.trim().split("\\s+");
        if (words.length != 3 || !words[0].equals("client")) {
            throw new IllegalArgumentException("expected 'client NAME MAC[,MAC...]', got '" + line.trim() + "'");
        }
        List<MacAddress> macs = new ArrayList<>();
        for (String mac : words[2].split(",")) {
            macs.add(MacAddress.parse(mac));
        }
        return new ClientGroup(words[1], macs);
    }

    /** The name of a client that is one MAC in no group: {@code 52-54-00-12-34-56}. */
    public static String nameOf(MacAddress mac) {
        return mac.toString().replace(':', '-');
    }
}
