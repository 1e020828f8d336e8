package dev.aoe.cli;

import dev.aoe.cli.main.AoeMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs the {@code aoe} root in-process, as a user would type it, capturing what it prints. */
public final class Cli {

    /** A finished command: its exit code and what it printed on each stream. */
    public record Run(int exit, String out, String err) {
    }

    private Cli() {
    }

    public static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = AoeMain.rootFor(args);
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = CommandLines.execute(cli, args);
        return new Run(exit, out.toString(), err.toString());
    }
}
