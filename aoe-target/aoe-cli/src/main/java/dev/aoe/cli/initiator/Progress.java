package dev.aoe.cli.initiator;

import dev.aoe.cli.ByteSizes;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * dd-like progress of a transfer: a bar on a terminal (stderr, refreshed at most every 200 ms) and a
 * closing summary, both in binary units (MiB, MiB/s). The count is shared, so a signal handler can
 * say how far an interrupted transfer got.
 */
final class Progress {

    private final PrintStream err;
    private final long total;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private final AtomicLong done = new AtomicLong();
    private long lastDraw;

    Progress(PrintStream err, long total) {
        this.err = err;
        this.total = total;
        this.terminal = System.console() != null;
    }

    long done() {
        return done.get();
    }

    void update(long bytes) {
        done.set(bytes);
        long now = System.nanoTime();
        if (!terminal || now - lastDraw < 200_000_000L) {
            return;
        }
        lastDraw = now;
        int width = 30;
        int filled = total <= 0 ? width : (int) (width * bytes / total);
        err.printf(Locale.ROOT, "\r[%s%s] %s / %s  %s/s ", "#".repeat(filled), " ".repeat(width - filled),
                ByteSizes.format(bytes), ByteSizes.format(Math.max(total, bytes)), ByteSizes.format((long) rate(bytes)));
        err.flush();
    }

    /** The summary line, on a terminal or when asked for. */
    void finish(boolean always) {
        clearBar();
        if (terminal || always) {
            err.println(summary());
        }
        err.flush();
    }

    /** "33554432 bytes (32 MiB) in 1.20 s, 26.7 MiB/s". */
    String summary() {
        long bytes = done.get();
        double seconds = (System.nanoTime() - start) / 1e9;
        return String.format(Locale.ROOT, "%d bytes (%s) in %.2f s, %s/s", bytes, ByteSizes.format(bytes), seconds,
                ByteSizes.format((long) rate(bytes)));
    }

    void clearBar() {
        if (terminal) {
            err.print("\r" + " ".repeat(70) + "\r");
        }
    }

    private double rate(long bytes) {
        double seconds = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
        return bytes / seconds;
    }
}
