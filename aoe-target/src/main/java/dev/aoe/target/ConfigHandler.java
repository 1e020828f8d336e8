package dev.aoe.target;

import static dev.aoe.target.ExportStats.Counter.CONFIG;

import dev.aoe.frame.AoeError;
import dev.aoe.frame.AoeFrame;
import dev.aoe.frame.ConfigArg.Ccmd;
import dev.aoe.frame.ConfigArg;
import dev.aoe.frame.Octets;
import java.util.Optional;

/**
 * Query Config Information (AoEr11 §3.2). Read always answers; test and test-prefix answer only on a
 * match and otherwise stay silent; set succeeds on an empty (or equal) string and otherwise answers
 * error 4 with the current string; force set always succeeds; other subcommands are error 2.
 */
final class ConfigHandler {

    private final Target target;

    ConfigHandler(Target target) {
        this.target = target;
    }

    void handle(Export export, AoeFrame request) {
        export.stats().increment(CONFIG);
        ConfigArg arg = (ConfigArg) request.arg();
        ExportState state = export.state();
        Optional<Ccmd> ccmd = arg.knownCcmd();
        if (ccmd.isEmpty()) {
            target.replyError(export, request, AoeError.BAD_ARGUMENT);
            return;
        }
        AoeError error = null;
        synchronized (state) {
            Octets current = state.config();
            switch (ccmd.get()) {
                case READ -> { }
                case TEST -> {
                    if (!current.equals(arg.config())) {
                        return;
                    }
                }
                case TEST_PREFIX -> {
                    if (!current.startsWith(arg.config())) {
                        return;
                    }
                }
                case SET -> {
                    if (current.length() == 0 || current.equals(arg.config())) {
                        state.config(arg.config());
                    } else {
                        error = AoeError.CONFIG_STRING_PRESENT;
                    }
                }
                case FORCE_SET -> state.config(arg.config());
                default -> throw new IllegalStateException();
            }
        }
        target.reply(export, request, error, announcement(export, arg.ccmd()));
    }

    /** The config an export reports: buffer count, firmware, sectors per frame, version 1, its string. */
    ConfigArg announcement(Export export, int ccmd) {
        return new ConfigArg(export.bufferCount(), Export.FIRMWARE_VERSION, target.maxSectors(), 1, ccmd,
                export.state().config());
    }
}
