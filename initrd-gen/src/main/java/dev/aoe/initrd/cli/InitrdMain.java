package dev.aoe.initrd.cli;

import dev.aoe.cli.CommandLines;
import dev.aoe.cli.VersionProvider;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code aoe} root of initrd-gen: its one verb is {@code initrd}. */
@Command(name = "aoe", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        subcommands = InitrdCommand.class, description = "Boot images for a Linux root on AoE.")
public final class InitrdMain implements Runnable {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(CommandLines.execute(new InitrdMain(), args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
