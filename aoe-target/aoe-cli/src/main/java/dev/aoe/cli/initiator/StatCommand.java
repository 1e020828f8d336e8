package dev.aoe.cli.initiator;

import dev.aoe.cli.ByteSizes;
import dev.aoe.cli.VersionProvider;
import dev.aoe.initiator.AoeDevice;
import dev.aoe.initiator.AoeIoException;
import dev.aoe.initiator.Initiator;
import dev.aoe.initiator.TargetInfo;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code aoe stat}: the aoe-stat table, from the wire instead of sysfs. */
@Command(name = "stat", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Discover the targets, identify each, and print a table like aoe-stat: device, size, "
                + "interfaces, payload bytes per frame, state, firmware.")
public final class StatCommand implements Callable<Integer> {

    @Mixin
    InitiatorOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (Initiator initiator = options.open()) {
            List<TargetInfo> found = options.discoverAll(initiator);
            out.printf("%-8s %12s  %-16s %8s  %-6s %s%n", "device", "size", "interfaces", "payload", "state", "firmware");
            for (TargetInfo t : found) {
                String size;
                String payload;
                String state;
                try {
                    AoeDevice d = initiator.open(t.address(), options.timeout);
                    size = ByteSizes.format(d.sizeBytes());
                    payload = Integer.toString(d.sectorsPerFrame() * AoeDevice.SECTOR_SIZE);
                    state = "up";
                    d.close();
                } catch (AoeIoException e) {
                    size = "?";
                    payload = "?";
                    state = "down";
                }
                out.printf("%-8s %12s  %-16s %8s  %-6s 0x%04x%n", t.address(), size, String.join(",", t.localInterfaces()),
                        payload, state, t.firmwareVersion());
            }
        } finally {
            options.closeCapture();
        }
        out.flush();
        return 0;
    }
}
