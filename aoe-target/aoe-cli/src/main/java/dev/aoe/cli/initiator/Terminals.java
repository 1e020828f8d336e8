package dev.aoe.cli.initiator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether standard output is a terminal, where device data would garble the screen. */
final class Terminals {

    private Terminals() {
    }

    /** True when file descriptor 1 is a terminal (Linux: /proc/self/fd/1 names a tty or pts). */
    static boolean stdoutIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/1")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return System.console() != null;
        }
    }
}
