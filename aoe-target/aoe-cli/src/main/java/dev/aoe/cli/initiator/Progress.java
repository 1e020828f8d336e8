package dev.aoe.cli.initiator;

import dev.aoe.cli.ByteSizes;
import java.io.PrintStream;
import java.util.Locale;

/** dd-like progress on a terminal (a bar on stderr, refreshed at most every 200 ms) and a closing summary. */
final class Progress {

    private final PrintStream err;
    private final long total;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private long lastDraw;

    Progress(PrintStream err, long total) {
        this.err = err;
        this.total = total;
        this.terminal = System.console() != null;
    }

    void update(long done) {
        long now = System.nanoTime();
        if (!terminal || now - lastDraw < 200_000_000L) {
            return;
        }
        lastDraw = now;
        int width = 30;
        int filled = total == 0 ? width : (int) (width * done / total);
        err.printf(Locale.ROOT, "\r[%s%s] %s / %s  %s/s ", "#".repeat(filled), " ".repeat(width - filled),
                ByteSizes.format(done), ByteSizes.format(total), ByteSizes.format((long) rate(done)));
        err.flush();
    }

    /** The summary line, on a terminal or when asked for. */
    void finish(long done, boolean always) {
        if (terminal) {
            err.print("\r" + " ".repeat(70) + "\r");
        }
        if (terminal || always) {
            double seconds = (System.nanoTime() - start) / 1e9;
            err.printf(Locale.ROOT, "%d bytes (%s) in %.2f s, %.1f MB/s%n", done, ByteSizes.format(done), seconds,
                    rate(done) / 1e6);
        }
        err.flush();
    }

    double rate(long done) {
        double seconds = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
        return done / seconds;
    }
}
