package dev.aoe.cli.target;

import dev.aoe.cli.ByteSizes;
import dev.aoe.ethernet.MacAddress;
import dev.aoe.target.Export;
import dev.aoe.target.overlay.ClientGroup;
import dev.aoe.target.overlay.OverlayOptions;
import dev.aoe.target.store.StoreOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** Options of one export, shared by the command line and each line of a {@code --config} file. */
final class ExportOptions {

    @Option(names = {"-r", "--read-only"}, description = "Export read-only; writes fail with ATA ABRT.")
    boolean readOnly;

    @Option(names = {"-o", "--offset"}, paramLabel = "SECTORS", defaultValue = "0",
            description = "First sector of the file to export (default: ${DEFAULT-VALUE}).")
    long offset;

    @Option(names = {"-l", "--length"}, paramLabel = "SECTORS",
            description = "Sectors to export from the offset, at least 1 (default: the rest of the file, following"
                    + " its size if it changes).")
    Long length;

    @Option(names = "--size", paramLabel = "SIZE", converter = ByteSizes.class, defaultValue = "0",
            description = "Create the file, or extend it sparsely, to SIZE bytes (K, M, G, T suffixes).")
    long size;

    @Option(names = {"-b", "--bufcnt"}, paramLabel = "N", defaultValue = "" + Export.DEFAULT_BUFFER_COUNT,
            description = "Requests served at once and advertised to initiators (default: ${DEFAULT-VALUE}, at least 2).")
    int bufferCount;

    @Option(names = {"-s", "--sync"}, description = "Acknowledge a write only once it is on stable storage (O_DSYNC).")
    boolean sync;

    @Option(names = {"-d", "--direct"}, description = "Bypass the page cache (O_DIRECT) where the file system allows it.")
    boolean direct;

    @Option(names = "--overlay", paramLabel = "DIR",
            description = "Give every client (initiator MAC, or a 'client NAME MAC,...' group of a config file) its own"
                    + " copy-on-write overlay in DIR; the image becomes a read-only base, never written.")
    Path overlay;

    @Option(names = "--overlay-mode", paramLabel = "MODE", defaultValue = "persistent",
            description = "persistent (overlays kept across restarts), ephemeral (DIR emptied at start: every boot"
                    + " starts from the image) or memory (no DIR, up to --overlay-cap per client; default: ${DEFAULT-VALUE}).")
    String overlayMode;

    @Option(names = "--overlay-cap", paramLabel = "SIZE", converter = ByteSizes.class, defaultValue = "0",
            description = "With --overlay-mode memory: the most each client's overlay may hold (K, M, G suffixes).")
    long overlayCap;

    @Option(names = {"-m", "--mac-allow"}, paramLabel = "MAC[,MAC...]", split = ",", converter = MacConverter.class,
            description = "Answer only these initiators: seeds the export's MAC mask list.")
    List<MacAddress> macAllow = new ArrayList<>();

    StoreOptions storeOptions() {
        return new StoreOptions(readOnly, offset, length == null ? 0 : length, size, sync, direct);
    }

    /** Whether each client gets an overlay of its own. */
    boolean overlays() {
        return overlay != null || overlayMode.equals("memory");
    }

    /** The overlay options these ask for, with the configuration's client groups. */
    OverlayOptions overlayOptions(List<ClientGroup> clients) {
        OverlayOptions o = switch (overlayMode) {
            case "persistent" -> OverlayOptions.persistent(overlay);
            case "ephemeral" -> OverlayOptions.ephemeral(overlay);
            default -> OverlayOptions.memory(overlayCap);
        };
        return o.withSync(sync).withClients(clients);
    }

    /** Values out of range, as picocli cannot say them: one line each. */
    void check() {
        if (!List.of("persistent", "ephemeral", "memory").contains(overlayMode)) {
            throw new IllegalArgumentException("--overlay-mode " + overlayMode + ": use persistent, ephemeral or memory");
        }
        if (overlayMode.equals("memory") ? overlay != null || overlayCap <= 0 : overlayCap > 0 || (overlay == null
                && !overlayMode.equals("persistent"))) {
            throw new IllegalArgumentException(overlayMode.equals("memory")
                    ? "--overlay-mode memory takes no --overlay DIR but an --overlay-cap SIZE"
                    : "--overlay-mode " + overlayMode + " needs --overlay DIR (and takes no --overlay-cap)");
        }
        if (length != null && length < 1) {
            throw new IllegalArgumentException("--length " + length + " must be at least 1 sector (leave it out to"
                    + " export the rest of the file)");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("--offset " + offset + " must not be negative");
        }
        if (bufferCount < Export.MIN_BUFFER_COUNT || bufferCount > 0xFFFF) {
            throw new IllegalArgumentException("--bufcnt " + bufferCount
                    + " is outside 2..65535 (Linux cannot use a target advertising fewer than 2)");
        }
    }

    /** Every option's value, so that two exports with the same text are the same (a reload leaves them be). */
    String canonical() {
        return "ro=" + readOnly + " o=" + offset + " l=" + length + " size=" + size + " b=" + bufferCount + " s=" + sync
                + " d=" + direct + " m=" + macAllow + " overlay=" + overlay + " mode=" + overlayMode + " cap=" + overlayCap;
    }

    /** Picocli converter for MAC addresses. */
    static final class MacConverter implements ITypeConverter<MacAddress> {
        @Override
        public MacAddress convert(String value) {
            try {
                return MacAddress.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
