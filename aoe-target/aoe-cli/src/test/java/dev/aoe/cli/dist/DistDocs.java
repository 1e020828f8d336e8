package dev.aoe.cli.dist;

import dev.aoe.cli.main.AoeMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.AutoComplete;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * What the tarball and the Debian package ship besides jars and runtime, generated from the picocli model of
 * {@link AoeMain} so it cannot drift from {@code --help}: one AsciiDoc man page per command ({@code aoe.adoc},
 * {@code aoe-target.adoc}, ...; asciidoctor turns them into roff) and the bash completion script. A verb added to
 * the root gets its page and its completion without a change here.
 *
 * <p>Build tooling, not part of the command line: it needs picocli-codegen, so it lives with the tests and
 * {@code src/dist/build.sh} runs it on the test class path.
 */
public final class DistDocs {

    /** Wide enough that picocli never wraps a synopsis: a line break inside its AsciiDoc markup garbles the page. */
    private static final int UNWRAPPED = 1000;

    private DistDocs() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: DistDocs ADOC_DIR COMPLETION_FILE");
            System.exit(2);
        }
        write(Path.of(args[0]), Path.of(args[1]));
    }

    public static void write(Path adocDir, Path completionFile) throws IOException {
        writeManPages(AoeMain.root(), adocDir);
        writeCompletion(AoeMain.root(), completionFile);
    }

    static void writeManPages(CommandLine root, Path dir) throws IOException {
        Files.createDirectories(dir);
        for (CommandLine command : commands(root)) {
            UsageMessageSpec usage = command.getCommandSpec().usageMessage();
            usage.width(UNWRAPPED);
            // picocli's generator drops a footer without a heading, and ours (examples, exit codes) have none
            if (usage.footer().length > 0 && usage.footerHeading().isEmpty()) {
                usage.footerHeading("Notes");
            }
        }
        int exit = ManPageGenerator.generateManPage(dir.toFile(), null, new boolean[0], true, root.getCommandSpec());
        if (exit != 0) {
            throw new IOException("picocli's man page generator failed with exit code " + exit);
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path page : files.filter(p -> p.toString().endsWith(".adoc")).collect(Collectors.toList())) {
                Files.writeString(page, escapeSynopsis(Files.readString(page)));
            }
        }
    }

    /**
     * A synopsis label such as {@code IFACE[,IFACE...]} ends in "]" right before the "_" closing its italics, and
     * AsciiDoc reads "[...]_" as an attribute list: the rendered synopsis loses words. {@code {endsb}} is AsciiDoc's
     * own "]", substituted only after the inline markup has been parsed.
     */
    static String escapeSynopsis(String adoc) {
        StringBuilder out = new StringBuilder();
        boolean synopsis = false;
        for (String line : adoc.split("\n", -1)) {
            if (line.equals("== Synopsis")) {
                synopsis = true;
            } else if (line.startsWith("// end::")) {
                synopsis = false;
            } else if (synopsis && line.startsWith("*")) {
                line = line.replaceAll("\\](?=[_*])", "{endsb}");
            }
            out.append(line).append('\n');
        }
        out.setLength(out.length() - 1);
        return out.toString();
    }

    static void writeCompletion(CommandLine root, Path file) throws IOException {
        String script = AutoComplete.bash("aoe", root);
        // bash-completion sources the file; a "#!" line there is noise (lintian: bash-completion-with-hashbang)
        script = script.replaceFirst("\\A#![^\n]*\n", "");
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Files.writeString(file, script);
    }

    /** The root and every command below it, once each (an alias maps to the same command). */
    static List<CommandLine> commands(CommandLine root) {
        Set<CommandLine> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<CommandLine> all = new ArrayList<>();
        List<CommandLine> todo = new ArrayList<>(List.of(root));
        while (!todo.isEmpty()) {
            CommandLine c = todo.remove(0);
            if (seen.add(c)) {
                all.add(c);
                todo.addAll(c.getSubcommands().values());
            }
        }
        return all;
    }
}
