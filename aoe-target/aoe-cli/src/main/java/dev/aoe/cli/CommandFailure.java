package dev.aoe.cli;

/** A failure a verb reports as one line, with its exit code. */
public final class CommandFailure extends RuntimeException {

    private final int exitCode;

    public CommandFailure(String message) {
        this(message, CommandLines.EXIT_FAILURE);
    }

    public CommandFailure(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
