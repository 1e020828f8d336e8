package dev.aoe.target.cli;

import dev.aoe.cli.CommandLines;
import dev.aoe.cli.VersionProvider;
import io.netty.util.ResourceLeakDetector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code aoe} root of aoe-target: its one verb is {@code target}. */
@Command(name = "aoe", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        subcommands = TargetCommand.class, description = "AoE target: export files as AoE devices.")
public final class TargetMain implements Runnable {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            // a server's steady state allocates nothing per frame; Netty's sampling leak detector would
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
        int code = CommandLines.execute(new TargetMain(), args);
        if (code != 0) {
            System.exit(code);
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
