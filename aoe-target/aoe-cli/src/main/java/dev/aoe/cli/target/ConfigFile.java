package dev.aoe.cli.target;

import dev.aoe.cli.CommandFailure;
import dev.aoe.cli.CommandLines;
import dev.aoe.target.overlay.ClientGroup;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * The exports of {@code --config FILE} or of every {@code *.conf} file of {@code --config-dir DIR}
 * (in name order): one export per line, written like the command line,
 * {@code SHELF SLOT IFACE[,IFACE...] FILE [OPTIONS]}, where an option may also be written
 * {@code name=value} ({@code overlay=/srv/overlays}); and {@code client NAME MAC[,MAC...]} lines, which
 * put several MACs (a client with two interfaces) in one overlay of every export with overlays. Words
 * are split as a shell would: quotes ({@code "..."} or {@code '...'}) keep spaces, a backslash escapes
 * one character, {@code #} starts a comment outside quotes, blank lines are ignored.
 * <pre>
 * # shelf slot interfaces file                  options
 * 0 1 eth0 /srv/aoe/root.img
 * 0 2 eth0,eth1 "/srv/aoe/data disk.img" --bufcnt 128 --sync
 * 1 0 eth1 /srv/aoe/golden.img overlay=/srv/aoe/overlays
 * client lab7 52:54:00:00:00:07,52:54:00:00:01:07
 * </pre>
 */
final class ConfigFile {

    private ConfigFile() {
    }

    @Command(name = "line")
    static final class Line {
        @Parameters(index = "0") int shelf;
        @Parameters(index = "1") int slot;
        @Parameters(index = "2") String interfaces;
        @Parameters(index = "3") Path file;
        @Mixin ExportOptions options;
    }

    /** What a configuration defines: exports, and client groups for the exports with overlays. */
    record Configuration(List<ExportSpec> exports, List<ClientGroup> clients) {
    }

    /** The exports of one file; an empty file is an error only when it is the only configuration. */
    static Configuration read(Path config) {
        Configuration c = new Configuration(new ArrayList<>(), new ArrayList<>());
        readFile(config, c);
        if (c.exports().isEmpty()) {
            throw new CommandFailure("config file " + config + " defines no export");
        }
        return c;
    }

    /** The exports of every {@code *.conf} file of a directory, in file name order. */
    static Configuration readDirectory(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new CommandFailure("config directory " + dir + (Files.exists(dir) ? " is not a directory" : ": no such directory"));
        }
        TreeSet<Path> files = new TreeSet<>();
        try (DirectoryStream<Path> confs = Files.newDirectoryStream(dir, "*.conf")) {
            confs.forEach(files::add);
        } catch (IOException e) {
            throw new CommandFailure("config directory " + dir + ": " + e.getMessage());
        }
        Configuration c = new Configuration(new ArrayList<>(), new ArrayList<>());
        for (Path f : files) {
            readFile(f, c);
        }
        return c;
    }

    private static void readFile(Path config, Configuration into) {
        List<String> lines;
        try {
            lines = Files.readAllLines(config);
        } catch (NoSuchFileException e) {
            throw new CommandFailure("config file " + config + ": no such file");
        } catch (IOException e) {
            throw new CommandFailure("config file " + config + ": " + e.getMessage());
        }
        for (int i = 0; i < lines.size(); i++) {
            String origin = config + ":" + (i + 1);
            List<String> words;
            try {
                words = words(lines.get(i));
            } catch (IllegalArgumentException e) {
                throw new CommandFailure(origin + ": " + e.getMessage(), CommandLines.EXIT_USAGE);
            }
            if (words.isEmpty()) {
                continue;
            }
            if (words.get(0).equals("client")) {
                try {
                    into.clients().add(ClientGroup.parse(String.join(" ", words)));
                } catch (IllegalArgumentException e) {
                    throw new CommandFailure(origin + ": " + e.getMessage(), CommandLines.EXIT_USAGE);
                }
                continue;
            }
            for (int w = 4; w < words.size(); w++) {
                if (words.get(w).matches("[a-z][a-z-]*=.*")) {
                    words.set(w, "--" + words.get(w));   // overlay=DIR is --overlay=DIR
                }
            }
            Line line = new Line();
            try {
                new CommandLine(line).parseArgs(words.toArray(String[]::new));
                line.options.check();
            } catch (CommandLine.ParameterException | IllegalArgumentException e) {
                throw new CommandFailure(origin + ": " + e.getMessage(), CommandLines.EXIT_USAGE);
            }
            Path file = line.file.isAbsolute() ? line.file : config.toAbsolutePath().getParent().resolve(line.file);
            into.exports().add(new ExportSpec(line.shelf, line.slot, Arrays.asList(line.interfaces.split(",")), file,
                    line.options, origin));
        }
    }

    /** Splits a line into words as a POSIX shell would (quotes, backslashes, comments); no expansion. */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\' && quote == '"' && i + 1 < line.length()) {
                    word.append(line.charAt(++i));
                } else {
                    word.append(c);
                }
            } else if (c == '#' && word == null) {
                break;
            } else if (Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else {
                word = word == null ? new StringBuilder() : word;
                if (c == '"' || c == '\'') {
                    quote = c;
                } else if (c == '\\' && i + 1 < line.length()) {
                    word.append(line.charAt(++i));
                } else {
                    word.append(c);
                }
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("a " + quote + " quote is not closed");
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }
}
