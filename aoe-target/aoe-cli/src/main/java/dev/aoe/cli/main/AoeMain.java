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
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code aoe}: the one root of every verb of the toolkit. */
@Command(name = "aoe", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        synopsisSubcommandLabel = "VERB",
        description = "ATA over Ethernet (AoEr11): export files as AoE devices, use AoE devices, build and boot "
                + "initramfs images with their root on AoE.",
        footer = {"", "Exit codes: 0 success, 1 failure, 2 usage error; the initiator verbs also 3 no target answered"
                + " or device not found, 4 out of range, 5 no permission for raw sockets (run as root or grant"
                + " CAP_NET_RAW); 130/143 interrupted.",
            "'aoe help VERB' or 'aoe VERB --help' explains a verb. In a source checkout the launcher has three"
                + " more: ./aoe demo, ./aoe test, ./aoe bench."})
public final class AoeMain implements Runnable {

    /** Every verb, in the order {@code --help} lists them. */
    private static final List<Class<?>> VERBS = List.of(TargetCommand.class, OverlayCommand.class,
            DiscoverCommand.class, StatCommand.class, ReadCommand.class, WriteCommand.class, CfgCommand.class,
            PingCommand.class, FlushCommand.class, InitrdCommand.class, BootCommand.class, DecodeCommand.class,
            RelayCommand.class, HelpCommand.class);

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        if (System.getProperty("io.netty.jfr.enabled") == null) {
            // Netty's allocator events would have JFR load and instrument ~70 classes at every start (~0.2 s)
            System.setProperty("io.netty.jfr.enabled", "false");
        }
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            // a server's steady state allocates nothing per frame; Netty's sampling leak detector would
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
        int code = CommandLines.execute(rootFor(args), args);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** The root with every verb: for help, completion and man pages. */
    public static CommandLine root() {
        CommandLine root = new CommandLine(new AoeMain());
        VERBS.forEach(root::addSubcommand);
        return root;
    }

    /**
     * The root for one command line: with only the verb its first argument names (building the model of
     * every verb's options costs a third of a second at each start), else with every verb.
     */
    public static CommandLine rootFor(String... args) {
        for (Class<?> verb : VERBS) {
            Command command = verb.getAnnotation(Command.class);
            if (args.length > 0 && verb != HelpCommand.class
                    && (args[0].equals(command.name()) || List.of(command.aliases()).contains(args[0]))) {
                CommandLine root = new CommandLine(new AoeMain());
                root.addSubcommand(verb);
                return root;
            }
        }
        return root();
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
