package dev.aoe.cli.main;

import dev.aoe.cli.CommandLines;
import dev.aoe.cli.VersionProvider;
import dev.aoe.cli.boot.BootCommand;
import dev.aoe.cli.decode.DecodeCommand;
import dev.aoe.cli.initiator.CfgCommand;
import dev.aoe.cli.initiator.DiscoverCommand;
import dev.aoe.cli.initiator.FlushCommand;
import dev.aoe.cli.initiator.PingCommand;
import dev.aoe.cli.initiator.ReadCommand;
import dev.aoe.cli.initiator.StatCommand;
import dev.aoe.cli.initiator.WriteCommand;
import dev.aoe.cli.initrd.InitrdCommand;
import dev.aoe.cli.overlay.OverlayCommand;
import dev.aoe.cli.relay.RelayCommand;
import dev.aoe.cli.target.TargetCommand;
import io.netty.util.ResourceLeakDetector;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code aoe}: the one root of every verb of the toolkit. */
@Command(name = "aoe", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        synopsisSubcommandLabel = "VERB",
        description = "ATA over Ethernet (AoEr11): export files as AoE devices, use AoE devices, build and boot "
                + "initramfs images with their root on AoE.",
        subcommands = {TargetCommand.class, OverlayCommand.class, DiscoverCommand.class, StatCommand.class,
            ReadCommand.class, WriteCommand.class, CfgCommand.class, PingCommand.class, FlushCommand.class,
            InitrdCommand.class, BootCommand.class, DecodeCommand.class, RelayCommand.class, HelpCommand.class},
        footer = {"", "Exit codes: 0 success, 1 failure, 2 usage error; the initiator verbs also 3 no target answered"
                + " or device not found, 4 out of range, 5 no permission for raw sockets (run as root or grant"
                + " CAP_NET_RAW); 130/143 interrupted.",
            "'aoe help VERB' or 'aoe VERB --help' explains a verb. In a source checkout the launcher has three"
                + " more: ./aoe demo, ./aoe test, ./aoe bench."})
public final class AoeMain implements Runnable {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            // a server's steady state allocates nothing per frame; Netty's sampling leak detector would
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
        int code = CommandLines.execute(new AoeMain(), args);
        if (code != 0) {
            System.exit(code);
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
