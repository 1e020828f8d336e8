package dev.aoe.target.overlay;

import dev.aoe.ethernet.MacAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * How an export keeps its clients' overlays: what {@code --overlay DIR}, {@code --overlay-mode} and the
 * {@code client NAME MAC[,MAC...]} lines of a configuration ask for.
 *
 * @param mode           where the overlays live, and for how long
 * @param directory      the overlay directory ({@link Mode#PERSISTENT}, {@link Mode#EPHEMERAL}); null in memory
 * @param memoryCapBytes {@link Mode#MEMORY}: the most each client's overlay may hold; else 0
 * @param sync           acknowledge a write only once its data and the map are durable (the export's
 *                       {@code --sync}); not in memory
 * @param clients        groups of MACs that share one overlay
 * @param resetCheck     how often the target looks for overlays dropped by {@code aoe overlay reset --force};
 *                       zero never looks (call {@link OverlayStore#checkResets()})
 */
public record OverlayOptions(Mode mode, Path directory, long memoryCapBytes, boolean sync, List<ClientGroup> clients,
                             Duration resetCheck) {

    /** Where overlays live. */
    public enum Mode {
        /** In the directory, across restarts of the target. */
        PERSISTENT,
        /** In the directory, emptied when the target starts: every boot starts from the base. */
        EPHEMERAL,
        /** In memory, up to a cap per client, lost when the target stops. */
        MEMORY
    }

    public static final Duration DEFAULT_RESET_CHECK = Duration.ofSeconds(1);

    /** @throws IllegalArgumentException with a one-line reason */
    public OverlayOptions {
        if ((mode == Mode.MEMORY) != (directory == null)) {
            throw new IllegalArgumentException(mode == Mode.MEMORY ? "in-memory overlays take no directory"
                    : "overlays in mode " + mode.name().toLowerCase(Locale.ROOT) + " need a directory");
        }
        if ((mode == Mode.MEMORY) != (memoryCapBytes > 0)) {
            throw new IllegalArgumentException(mode == Mode.MEMORY ? "in-memory overlays need a size cap above 0"
                    : "a size cap applies to in-memory overlays only");
        }
        if (mode == Mode.MEMORY && sync) {
            throw new IllegalArgumentException("in-memory overlays cannot be synced to disk (--sync)");
        }
        if (resetCheck.isNegative()) {
            throw new IllegalArgumentException("reset check interval must not be negative: " + resetCheck);
        }
        clients = List.copyOf(clients);
        Set<String> names = new HashSet<>();
        Set<MacAddress> macs = new HashSet<>();
        for (ClientGroup group : clients) {
            if (!names.add(group.name())) {
                throw new IllegalArgumentException("client " + group.name() + " is defined twice");
            }
            for (MacAddress mac : group.macs()) {
                if (!macs.add(mac)) {
                    throw new IllegalArgumentException("MAC " + mac + " is in two clients (one overlay each)");
                }
            }
        }
    }

    public static OverlayOptions persistent(Path directory) {
        return new OverlayOptions(Mode.PERSISTENT, directory, 0, false, List.of(), DEFAULT_RESET_CHECK);
    }

    public static OverlayOptions ephemeral(Path directory) {
        return new OverlayOptions(Mode.EPHEMERAL, directory, 0, false, List.of(), DEFAULT_RESET_CHECK);
    }

    public static OverlayOptions memory(long capBytesPerClient) {
        return new OverlayOptions(Mode.MEMORY, null, capBytesPerClient, false, List.of(), Duration.ZERO);
    }

    public OverlayOptions withSync(boolean value) {
        return new OverlayOptions(mode, directory, memoryCapBytes, value, clients, resetCheck);
    }

    public OverlayOptions withClients(List<ClientGroup> value) {
        return new OverlayOptions(mode, directory, memoryCapBytes, sync, value, resetCheck);
    }

    public OverlayOptions withResetCheck(Duration value) {
        return new OverlayOptions(mode, directory, memoryCapBytes, sync, clients, value);
    }
}
