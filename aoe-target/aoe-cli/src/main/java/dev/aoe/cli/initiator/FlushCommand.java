package dev.aoe.cli.initiator;

import dev.aoe.cli.VersionProvider;
import dev.aoe.initiator.AoeDevice;
import dev.aoe.initiator.Initiator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code aoe flush eX.Y}: ask the target to make completed writes durable. */
@Command(name = "flush", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Send FLUSH CACHE EXT (or FLUSH CACHE) so the target puts completed writes on stable storage.")
public final class FlushCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "eX.Y", description = "Device address.")
    String address;

    @Mixin
    InitiatorOptions options;

    @Override
    public Integer call() throws Exception {
        try (Initiator initiator = options.open()) {
            AoeDevice device = options.device(initiator, address);
            device.flush();
        } finally {
            options.closeCapture();
        }
        return 0;
    }
}
