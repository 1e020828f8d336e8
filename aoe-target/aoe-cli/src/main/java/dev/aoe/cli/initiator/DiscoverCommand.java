package dev.aoe.cli.initiator;

import dev.aoe.cli.VersionProvider;
import dev.aoe.initiator.Initiator;
import dev.aoe.initiator.TargetInfo;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code aoe discover}: broadcast a config query and list every target that answers. */
@Command(name = "discover", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Broadcast a config query on the interfaces and list the targets that answer within the timeout.")
public final class DiscoverCommand implements Callable<Integer> {

    @Mixin
    InitiatorOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (Initiator initiator = options.open()) {
            List<TargetInfo> found = options.discoverAll(initiator);
            for (TargetInfo t : found) {
                out.printf("%-8s %-40s bufcnt %-4d %3d sectors/frame  firmware 0x%04x  config \"%s\"%n", t.address(),
                        String.join(",", t.paths().stream().map(Object::toString).toList()), t.bufferCount(),
                        t.sectorsPerFrame(), t.firmwareVersion(), t.config().toLatin1());
            }
        } finally {
            options.closeCapture();
        }
        out.flush();
        return 0;
    }
}
