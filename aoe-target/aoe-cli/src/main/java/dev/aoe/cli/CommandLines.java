package dev.aoe.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * What every module's {@code aoe} root shares: one-line errors instead of stack traces, usage errors
 * with a hint, and the exit codes (0 ok, 1 failure, 2 usage).
 */
public final class CommandLines {

    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;
    /** No permission for raw sockets (initiator and target verbs alike). */
    public static final int EXIT_PERMISSION = 5;

    private CommandLines() {
    }

    /** Runs a picocli command the way all verbs run; returns the exit code. */
    public static int execute(Object command, String... args) {
        return execute(new CommandLine(command), args);
    }

    public static int execute(CommandLine cli, String... args) {
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            err.println(commandLine.getCommandSpec().qualifiedName() + ": " + message(e));
            if (Boolean.getBoolean("aoe.debug")) {
                e.printStackTrace(err);
            }
            err.flush();
            return e instanceof CommandFailure f ? f.exitCode() : EXIT_FAILURE;
        });
        cli.setParameterExceptionHandler((e, a) -> {
            CommandLine c = e.getCommandLine();
            String name = c.getCommandSpec().qualifiedName();
            c.getErr().println(name + ": " + e.getMessage());
            c.getErr().println("Try '" + name + " --help'.");
            c.getErr().flush();
            return EXIT_USAGE;
        });
        return cli.execute(args);
    }

    static String message(Throwable e) {
        Throwable t = e;
        while (t.getMessage() == null && t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }
}
