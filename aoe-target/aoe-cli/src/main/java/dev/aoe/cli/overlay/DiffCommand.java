package dev.aoe.cli.overlay;

import dev.aoe.cli.ByteSizes;
import dev.aoe.cli.CommandFailure;
import dev.aoe.cli.VersionProvider;
import dev.aoe.target.overlay.BlockRange;
import dev.aoe.target.overlay.ClientDir;
import dev.aoe.target.overlay.OverlayDirectory;
import dev.aoe.target.overlay.OverlayMap;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code aoe overlay diff DIR CLIENT}: where a client's disk differs from the base, as byte and sector ranges. */
@Command(name = "diff", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Print the ranges of 4 KiB blocks a client's overlay holds (it wrote them), one per line, as of"
                + " its last flush.",
            "With --base, only the blocks whose bytes differ from the base image's."})
public final class DiffCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR", description = "Overlay directory of an export.")
    Path dir;

    @Parameters(index = "1", paramLabel = "CLIENT", description = "Client name, or one of its MACs.")
    String client;

    @Option(names = "--base", paramLabel = "IMAGE", description = "Compare the held blocks with this base image.")
    Path base;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        OverlayDirectory overlays = OverlayCommand.directory(dir);
        ClientDir c = OverlayCommand.client(overlays, client);
        OverlayMap map;
        List<BlockRange> ranges;
        try {
            map = c.readMap();
            ranges = base == null ? map.ranges() : c.differences(base);
        } catch (IOException e) {
            throw new CommandFailure(e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        long bytes = 0;
        for (BlockRange r : ranges) {
            long end = Math.min(r.firstByte() + r.bytes(), map.deviceBytes());   // the last block may be short
            bytes += end - r.firstByte();
            out.printf("bytes %d-%d (%s), sectors %d-%d%n", r.firstByte(), end - 1, ByteSizes.format(end - r.firstByte()),
                    r.firstByte() / 512, end / 512 - 1);
        }
        out.flush();
        spec.commandLine().getErr().printf("%s, %s %s%n", OverlayCommand.count(ranges.size(), "range"),
                ByteSizes.format(bytes),
                base == null ? "held by " + c.name() : "of " + c.name() + " differ from " + base);
        return 0;
    }
}
