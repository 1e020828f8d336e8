package dev.aoe.cli.target;

import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Signal handling the JDK has no public API for (SIGUSR1, and exiting 0 after a clean stop on SIGINT
 * or SIGTERM): the one place that uses sun.misc.Signal.
 */
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

    /** On SIGINT or SIGTERM: run {@code stop}, then exit 0 (the JVM's default would be 130 or 143). */
    static void onTerminate(Runnable stop) {
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                Signal.handle(new Signal(name), signal -> {
                    stop.run();
                    Runtime.getRuntime().halt(0);
                });
            } catch (IllegalArgumentException e) {
                LoggerFactory.getLogger(Signals.class).debug("SIG{} not available: {}", name, e.getMessage());
            }
        }
    }
}
