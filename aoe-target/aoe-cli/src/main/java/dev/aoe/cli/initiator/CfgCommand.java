package dev.aoe.cli.initiator;

import dev.aoe.cli.CommandFailure;
import dev.aoe.cli.VersionProvider;
import dev.aoe.frame.AoeError;
import dev.aoe.frame.AoeFrame;
import dev.aoe.frame.ConfigArg.Ccmd;
import dev.aoe.frame.ConfigArg;
import dev.aoe.frame.Octets;
import dev.aoe.initiator.AoeAddress;
import dev.aoe.initiator.Initiator;
import dev.aoe.initiator.TargetInfo;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code aoe cfg}: read, test or set a target's config string, like aoecfg. */
@Command(name = "cfg", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Read, test or set the config string of a target (like aoecfg).",
            "Without an address: the config string of every target that answers.",
            "test and prefix print the string and exit 0 on a match; a target that does not match stays silent (exit 1);"
                + " no target answering at all is exit 3.",
            "set fails (exit 1, *badcfg*) when a different string is already set; fset overwrites it."})
public final class CfgCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "eX.Y", description = "Device address.")
    String address;

    @Option(names = {"-c", "--command"}, paramLabel = "CMD", defaultValue = "read",
            description = "read, test, prefix, set or fset (default: ${DEFAULT-VALUE}).")
    String command;

    @Option(names = {"-s", "--string"}, paramLabel = "TEXT", defaultValue = "", description = "The config string.")
    String text;

    @Mixin
    InitiatorOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Ccmd ccmd = switch (command) {
            case "read" -> Ccmd.READ;
            case "test" -> Ccmd.TEST;
            case "prefix" -> Ccmd.TEST_PREFIX;
            case "set" -> Ccmd.SET;
            case "fset" -> Ccmd.FORCE_SET;
            default -> throw new CommandFailure("unknown config command '" + command
                    + "' (read, test, prefix, set, fset)", 2);
        };
        PrintWriter out = spec.commandLine().getOut();
        try (Initiator initiator = options.open()) {
            if (address == null) {
                if (ccmd != Ccmd.READ) {
                    throw new CommandFailure("-c " + command + " needs a device address", 2);
                }
                for (TargetInfo t : initiator.discover(options.timeout, Integer.MAX_VALUE)) {
                    out.println(t.address() + "\t" + t.config().toLatin1());
                }
                out.flush();
                return 0;
            }
            AoeAddress target = InitiatorOptions.address(address);
            if (initiator.find(target, options.timeout).isEmpty()) {
                throw new CommandFailure("no AoE target answered for " + target + " within " + options.timeout.toMillis()
                        + " ms", InitiatorOptions.EXIT_NOT_FOUND);
            }
            Optional<AoeFrame> reply = initiator.config(target, ccmd, Octets.ascii(text), options.timeout);
            if (reply.isEmpty()) {
                return 1;   // test or prefix did not match: the target stays silent
            }
            AoeFrame f = reply.get();
            if (f.header().errorFlag()) {
                if (f.header().errorCode() == AoeError.CONFIG_STRING_PRESENT.code()) {
                    out.println("*badcfg*");
                    out.flush();
                    return 1;
                }
                throw new CommandFailure(address + ": target answered AoE error " + AoeError.describe(f.header().errorCode()));
            }
            out.println(((ConfigArg) f.arg()).config().toLatin1());
        } finally {
            options.closeCapture();
        }
        out.flush();
        return 0;
    }
}
