package dev.aoe.target.store;

import java.io.IOException;

/**
 * A write the store has no room for (an in-memory overlay at its cap, say). The store logs the
 * condition once itself, so the target answers with an ATA error and does not log every refused write.
 */
public final class StoreFullException extends IOException {

    public StoreFullException(String message) {
        super(message);
    }
}
