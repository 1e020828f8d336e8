package dev.aoe.target.cli;

import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/** SIGUSR1 handling: the JDK has no public API for it, so this is the one place using sun.misc.Signal. */
final class Signals {

    private Signals() {
    }

    static void onUsr1(Runnable action) {
        try {
            Signal.handle(new Signal("USR1"), signal -> action.run());
        } catch (IllegalArgumentException e) {
            LoggerFactory.getLogger(Signals.class).warn("SIGUSR1 is not available ({}); use --stats", e.getMessage());
        }
    }
}
