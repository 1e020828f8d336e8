package dev.aoe.cli.initiator;

import dev.aoe.ata.IdentifyData;
import dev.aoe.cli.ByteSizes;
import dev.aoe.cli.CommandFailure;
import dev.aoe.cli.CommandLines;
import dev.aoe.cli.VersionProvider;
import dev.aoe.initiator.AoeDevice;
import dev.aoe.initiator.Initiator;
import dev.aoe.initiator.TargetInfo;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code aoe ping eX.Y}: find a target and identify it, like aoeping -I. */
@Command(name = "ping", aliases = "identify", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Find a target, send ATA IDENTIFY, and print what it says and how long it took (like aoeping -I).",
            "Takes the address as eX.Y, or in aoeping's order: SHELF SLOT IFACE."})
public final class PingCommand implements Callable<Integer> {

    @Parameters(arity = "1..3", paramLabel = "eX.Y|SHELF SLOT IFACE",
            description = "Device address, or aoeping's shelf, slot and interface.")
    List<String> words;

    @Mixin
    InitiatorOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        String address = address();
        try (Initiator initiator = options.open()) {
            long start = System.nanoTime();
            AoeDevice device = options.device(initiator, address);
            double ms = (System.nanoTime() - start) / 1e6;
            TargetInfo t = device.target();
            IdentifyData id = device.identify();
            out.printf(Locale.ROOT, "%s: found on %s in %.2f ms%n", t.address(), t.paths(), ms);
            out.println("model: " + id.model());
            out.println("serial: " + id.serial());
            out.println("firmware: " + id.firmware() + String.format(" (config firmware 0x%04x)", t.firmwareVersion()));
            out.println("sectors: " + id.capacitySectors() + " (" + ByteSizes.format(device.sizeBytes()) + ")"
                    + (id.lba48() ? ", LBA48" : ", LBA28"));
            out.println("flush: " + (id.flushCacheExt() ? "FLUSH CACHE EXT" : id.flushCache() ? "FLUSH CACHE" : "none"));
            out.println("buffer count: " + t.bufferCount() + ", sectors per frame: " + device.sectorsPerFrame());
            out.println("config: \"" + t.config().toLatin1() + "\"");
        } finally {
            options.closeCapture();
        }
        out.flush();
        return 0;
    }

    /** eX.Y as given, or aoeping's SHELF SLOT IFACE (the interface joins --iface). */
    private String address() {
        if (words.size() == 1) {
            return words.get(0);
        }
        if (words.size() == 3 && words.get(0).matches("\\d+") && words.get(1).matches("\\d+")) {
            options.interfaces.add(words.get(2));
            return "e" + words.get(0) + "." + words.get(1);
        }
        throw new CommandFailure("give the device as eX.Y, or as aoeping does: SHELF SLOT IFACE (e.g. aoe ping 0 1 eth0)",
                CommandLines.EXIT_USAGE);
    }
}
