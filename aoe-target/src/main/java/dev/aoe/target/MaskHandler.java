package dev.aoe.target;

import static dev.aoe.target.ExportStats.Counter.MASK;

import dev.aoe.ethernet.MacAddress;
import dev.aoe.frame.AoeError;
import dev.aoe.frame.AoeFrame;
import dev.aoe.frame.MacMaskArg.Mcmd;
import dev.aoe.frame.MacMaskArg.Merror;
import dev.aoe.frame.MacMaskArg;
import dev.aoe.frame.MaskDirective.Dcmd;
import dev.aoe.frame.MaskDirective;
import java.util.List;
import java.util.Optional;

/**
 * MAC Mask List (AoEr11 §3.3). Edits apply directive by directive; the first bad directive or a full
 * list stops the edit with merror and its (0-based) index, the directives before it staying applied,
 * as vblade does. Success answers with the whole list.
 */
final class MaskHandler {

    private final Target target;

    MaskHandler(Target target) {
        this.target = target;
    }

    void handle(Export export, AoeFrame request) {
        export.stats().increment(MASK);
        MacMaskArg arg = (MacMaskArg) request.arg();
        Optional<Mcmd> mcmd = arg.knownMcmd();
        if (mcmd.isEmpty()) {
            target.replyError(export, request, AoeError.BAD_ARGUMENT);
            return;
        }
        ExportState state = export.state();
        MacMaskArg reply;
        synchronized (state) {
            reply = mcmd.get() == Mcmd.EDIT ? edit(state, arg) : null;
            if (reply == null) {
                reply = MacMaskArg.list(arg.mcmd(), state.mask().stream()
                        .map(mac -> MaskDirective.of(Dcmd.NONE, mac)).toList());
            }
        }
        target.reply(export, request, null, reply);
    }

    /** Applies the directives; returns the failure reply, or null when all applied. */
    private static MacMaskArg edit(ExportState state, MacMaskArg arg) {
        List<MaskDirective> directives = arg.directives();
        try {
            for (int i = 0; i < directives.size(); i++) {
                MaskDirective d = directives.get(i);
                MacAddress mac = d.mac();
                Optional<Dcmd> dcmd = d.knownDcmd();
                if (dcmd.isEmpty()) {
                    return MacMaskArg.failure(arg.mcmd(), Merror.BAD_DIRECTIVE, i);
                }
                switch (dcmd.get()) {
                    case NONE -> { }
                    case ADD -> {
                        if (!state.maskAdd(mac)) {
                            return MacMaskArg.failure(arg.mcmd(), Merror.LIST_FULL, i);
                        }
                    }
                    case DELETE -> state.maskRemove(mac);
                    default -> throw new IllegalStateException();
                }
            }
            return null;
        } finally {
            state.maskEdited();
        }
    }
}
