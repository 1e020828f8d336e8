package dev.aoe.cli.overlay;

import dev.aoe.cli.CommandFailure;
import dev.aoe.cli.VersionProvider;
import dev.aoe.target.overlay.ClientDir;
import dev.aoe.target.overlay.OverlayDirectory;
import dev.aoe.target.store.StoreException;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code aoe overlay VERB}: the lifecycle of the per-client overlays of an export. */
@Command(name = "overlay", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        synopsisSubcommandLabel = "VERB",
        description = {"Look after the per-client copy-on-write overlays an export keeps in a directory.",
            "Each client (a MAC, or a 'client NAME MAC,...' group) reads the base image except where it wrote."},
        subcommands = {ListCommand.class, ResetCommand.class, CommitCommand.class, DiffCommand.class},
        footer = {"", "Examples:",
            "  ./aoe overlay list /srv/ov                     clients, blocks held, last write",
            "  ./aoe overlay reset /srv/ov pc7                its next boot reads the base",
            "  ./aoe overlay diff /srv/ov 52:54:00:12:34:56   the ranges that client wrote",
            "  ./aoe overlay commit /srv/ov pc7 --base golden.img -o golden-2.img"})
public final class OverlayCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing verb: list, reset, commit or diff");
    }

    /** "1 block", "2 blocks". */
    static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    static OverlayDirectory directory(Path dir) {
        try {
            return OverlayDirectory.inspect(dir);
        } catch (StoreException e) {
            throw new CommandFailure(e.getMessage());
        }
    }

    /** The client named {@code nameOrMac} (or with that MAC) in {@code dir}. */
    static ClientDir client(OverlayDirectory dir, String nameOrMac) throws IOException {
        return dir.find(nameOrMac).orElseThrow(() -> new CommandFailure("no overlay of " + nameOrMac + " in " + dir
                + " ('aoe overlay list " + dir + "' shows the clients)"));
    }
}
