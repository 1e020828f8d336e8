package dev.aoe.initiator.cli;

import dev.aoe.cli.CommandLines;
import dev.aoe.cli.VersionProvider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code aoe} root of aoe-initiator: the aoetools-like verbs. */
@Command(name = "aoe", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        subcommands = {DiscoverCommand.class, StatCommand.class, ReadCommand.class, WriteCommand.class,
            CfgCommand.class, PingCommand.class, FlushCommand.class},
        description = "AoE initiator tools.",
        footer = {"", "Exit codes: 0 success, 1 failure, 2 usage, 3 no target answered or device not found,",
            "4 out of range, 5 no permission for raw sockets (run as root or grant CAP_NET_RAW)."})
public final class InitiatorMain implements Runnable {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(CommandLines.execute(new InitiatorMain(), args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
