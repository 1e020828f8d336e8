package dev.aoe.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs short external commands (ip, tshark) for tests, failing with their output when they fail. */
public final class Processes {

    private Processes() {
    }

    public record Result(int exitCode, String output) {
    }

    public static Result run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", command));
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** The output of a command, or null when it cannot run or fails. */
    public static String runQuietly(String... command) {
        try {
            Result r = run(List.of(command));
            return r.exitCode() == 0 ? r.output() : null;
        } catch (IOException | InterruptedException e) {
            return null;
        }
    }

    public static String check(String... command) throws IOException, InterruptedException {
        Result r = run(List.of(command));
        if (r.exitCode() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + r.exitCode() + ": " + r.output());
        }
        return r.output();
    }
}
