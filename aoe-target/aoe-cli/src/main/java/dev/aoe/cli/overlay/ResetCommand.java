package dev.aoe.cli.overlay;

import dev.aoe.cli.CommandFailure;
import dev.aoe.cli.Durations;
import dev.aoe.cli.VersionProvider;
import dev.aoe.target.overlay.ClientDir;
import dev.aoe.target.overlay.OverlayDirectory;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code aoe overlay reset DIR CLIENT}: drop a client's overlay so that its next boot reads the base. */
@Command(name = "reset", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Drop a client's overlay: from its next boot it reads the base image again.",
            "Refused while a target serves the client, unless --force: then the target lets go of the overlay"
                + " within a second and serves the client the base; use it only once the client is down."})
public final class ResetCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR", description = "Overlay directory of an export.")
    Path dir;

    @Parameters(index = "1", paramLabel = "CLIENT", description = "Client name, or one of its MACs.")
    String client;

    @Option(names = {"-f", "--force"}, description = "Reset even while a running target serves the client.")
    boolean force;

    @Option(names = "--wait", paramLabel = "TIME", converter = Durations.class, defaultValue = "5s",
            description = "With --force, how long to wait for the target to let go (default: ${DEFAULT-VALUE}).")
    Duration wait;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        OverlayDirectory overlays = OverlayCommand.directory(dir);
        ClientDir c = OverlayCommand.client(overlays, client);
        OverlayDirectory.ResetOutcome outcome;
        try {
            outcome = overlays.reset(c, force, wait);
        } catch (IOException e) {
            throw new CommandFailure(e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(switch (outcome) {
            case REMOVED -> c.name() + ": overlay deleted; its next boot reads the base";
            case RELEASED -> c.name() + ": the running target let go of the overlay and serves the base; overlay deleted";
            case PENDING -> c.name() + ": reset; the running target has not let go of the overlay within " + wait.toMillis()
                    + " ms: it serves the base from its next reset check, then deletes the overlay";
        });
        out.flush();
        return 0;
    }
}
