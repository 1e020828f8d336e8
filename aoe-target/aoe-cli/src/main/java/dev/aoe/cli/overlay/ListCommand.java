package dev.aoe.cli.overlay;

import dev.aoe.cli.ByteSizes;
import dev.aoe.cli.VersionProvider;
import dev.aoe.ethernet.MacAddress;
import dev.aoe.target.overlay.ClientDir;
import dev.aoe.target.overlay.OverlayDirectory;
import dev.aoe.target.overlay.OverlayMap;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code aoe overlay list DIR}: one line per client overlay. */
@Command(name = "list", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"List the clients with an overlay in DIR: MACs, blocks held, bytes, last write, and whether a"
                + " target serves them now.",
            "Blocks are counted as of each client's last FLUSH; a running target may hold newer ones."})
public final class ListCommand implements Callable<Integer> {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    @Parameters(index = "0", paramLabel = "DIR", description = "Overlay directory of an export.")
    Path dir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        OverlayDirectory overlays = OverlayCommand.directory(dir);
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"CLIENT", "MACS", "BLOCKS", "BYTES", "LAST WRITE", "STATE"});
        long totalBlocks = 0;
        for (ClientDir c : overlays.clients()) {
            String macs = c.macs().stream().map(MacAddress::toString).collect(Collectors.joining(","));
            String state = c.inUse() ? "in use" : "idle";
            try {
                OverlayMap map = c.readMap();
                totalBlocks += map.heldBlocks();
                rows.add(new String[] {c.name(), macs, Long.toString(map.heldBlocks()),
                    ByteSizes.format(map.heldBlocks() * OverlayMap.BLOCK_SIZE), TIME.format(c.lastWrite()), state});
            } catch (IOException e) {
                rows.add(new String[] {c.name(), macs, "-", "-", "-", "damaged: " + e.getMessage()});
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        String format = "%-" + widths[0] + "s  %-" + widths[1] + "s  %" + widths[2] + "s  %" + widths[3] + "s  %-"
                + widths[4] + "s  %s";
        for (String[] row : rows) {
            out.println(String.format(Locale.ROOT, format, (Object[]) row).stripTrailing());
        }
        out.flush();
        spec.commandLine().getErr().printf("%s, %s (%s) over %s%n", OverlayCommand.count(rows.size() - 1, "client"),
                OverlayCommand.count(totalBlocks, "block"), ByteSizes.format(totalBlocks * OverlayMap.BLOCK_SIZE),
                overlays.base());
        return 0;
    }
}
