package dev.aoe.cli.overlay;

import dev.aoe.cli.ByteSizes;
import dev.aoe.cli.CommandFailure;
import dev.aoe.cli.VersionProvider;
import dev.aoe.target.overlay.ClientDir;
import dev.aoe.target.overlay.ImageCommit;
import dev.aoe.target.overlay.OverlayDirectory;
import dev.aoe.target.overlay.OverlayMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code aoe overlay commit DIR CLIENT --base IMAGE -o NEW}: a new base image with a client's changes in it. */
@Command(name = "commit", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Write a new image: the base with one client's overlay laid over it, the disk as that client"
                + " sees it.",
            "The base and the overlay are left as they are; NEW_IMAGE must not exist. To boot the fleet from it,"
                + " serve NEW_IMAGE with a new (or emptied) overlay directory: the old overlays were made over the"
                + " old base."})
public final class CommitCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR", description = "Overlay directory of an export.")
    Path dir;

    @Parameters(index = "1", paramLabel = "CLIENT", description = "Client name, or one of its MACs.")
    String client;

    @Option(names = "--base", paramLabel = "IMAGE", required = true,
            description = "The base image the export serves (checked against DIR/base.info).")
    Path base;

    @Option(names = {"-o", "--output"}, paramLabel = "NEW_IMAGE", required = true, description = "The image to write.")
    Path output;

    @Option(names = {"-f", "--force"},
            description = "Take the overlay even while a target serves the client (as of the client's last flush).")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        OverlayDirectory overlays = OverlayCommand.directory(dir);
        ClientDir c = OverlayCommand.client(overlays, client);
        if (!Files.isReadable(base)) {
            throw new CommandFailure("cannot read " + base + (Files.exists(base) ? ": permission denied" : ": no such file"));
        }
        ImageCommit.Result result;
        try {
            result = ImageCommit.write(overlays, c, base, output, force);
        } catch (IOException e) {
            throw new CommandFailure(e.getMessage());
        }
        spec.commandLine().getOut().printf("%s: %s (%s) with %s (%s) of %s%n", result.image(), base,
                ByteSizes.format(result.bytes()), OverlayCommand.count(result.blocks(), "block"),
                ByteSizes.format(result.blocks() * OverlayMap.BLOCK_SIZE), c.name());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
