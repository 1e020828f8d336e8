package dev.aoe.cli;

import picocli.CommandLine.Command;

/**
 * The {@code aoe} command of aoe-core. The {@code ./aoe} launcher sends each verb to the module that
 * owns it; this root owns the protocol tools.
 */
@Command(name = "aoe", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        subcommands = {DecodeCommand.class},
        description = "ATA over Ethernet (AoEr11) toolkit.",
        footer = {"", "Verbs of the other modules, run through the same ./aoe launcher:",
            "  target    export files as AoE devices (aoe-target)",
            "  discover, stat, read, write, cfg, ping, flush   AoE initiator tools (aoe-initiator)",
            "  initrd    build an initramfs that boots Linux from AoE (initrd-gen)",
            "  bench     JMH benchmarks (aoe-bench)",
            "  demo      export a sample image in a private namespace, write and read it back (as root)",
            "  test      install test prerequisites (as root) and run the whole test suite"})
public final class AoeMain implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(CommandLines.execute(new AoeMain(), args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
