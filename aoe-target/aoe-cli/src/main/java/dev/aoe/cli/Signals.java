package dev.aoe.cli;

import java.util.function.IntConsumer;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Signal handling the JDK has no public API for: the one place that uses sun.misc.Signal. A handler
 * runs on a thread of its own while the command goes on.
 */
public final class Signals {

    /** The exit codes a shell gives for SIGINT and SIGTERM: 128 + the signal number. */
    public static final int EXIT_INT = 130;
    public static final int EXIT_TERM = 143;

    private Signals() {
    }

    /** Runs {@code action} on each delivery of {@code name} (USR1, HUP); says so when it cannot. */
    public static void on(String name, Runnable action) {
        try {
            Signal.handle(new Signal(name), signal -> action.run());
        } catch (IllegalArgumentException e) {
            LoggerFactory.getLogger(Signals.class).warn("SIG{} is not available here: {}", name, e.getMessage());
        }
    }

    /** On SIGINT or SIGTERM: runs {@code stop} with the exit code the signal calls for (130 or 143). */
    public static void onTerminate(IntConsumer stop) {
        on("INT", () -> stop.accept(EXIT_INT));
        on("TERM", () -> stop.accept(EXIT_TERM));
    }
}
