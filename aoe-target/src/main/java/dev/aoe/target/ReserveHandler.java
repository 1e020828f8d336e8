package dev.aoe.target;

import static dev.aoe.target.ExportStats.Counter.RESERVE;

import dev.aoe.frame.AoeError;
import dev.aoe.frame.AoeFrame;
import dev.aoe.frame.ReserveReleaseArg.Rcmd;
import dev.aoe.frame.ReserveReleaseArg;
import java.util.Optional;

/**
 * Reserve/Release (AoEr11 §3.4). Set succeeds when nobody holds a reservation or the requester is on
 * the list, else error 6; force set always succeeds; a list of no MACs releases. Every reply carries
 * the current list.
 */
final class ReserveHandler {

    private final Target target;

    ReserveHandler(Target target) {
        this.target = target;
    }

    void handle(Export export, AoeFrame request) {
        export.stats().increment(RESERVE);
        ReserveReleaseArg arg = (ReserveReleaseArg) request.arg();
        Optional<Rcmd> rcmd = arg.knownRcmd();
        if (rcmd.isEmpty()) {
            target.replyError(export, request, AoeError.BAD_ARGUMENT);
            return;
        }
        ExportState state = export.state();
        AoeError error = null;
        synchronized (state) {
            switch (rcmd.get()) {
                case READ -> { }
                case SET -> {
                    if (state.reserveAllows(request.source().value())) {
                        state.reserve(arg.macs());
                    } else {
                        error = AoeError.TARGET_RESERVED;
                    }
                }
                case FORCE_SET -> state.reserve(arg.macs());
                default -> throw new IllegalStateException();
            }
        }
        target.reply(export, request, error, new ReserveReleaseArg(arg.rcmd(), state.reserve()));
    }
}
