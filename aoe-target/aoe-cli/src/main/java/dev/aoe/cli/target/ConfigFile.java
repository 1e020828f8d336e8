package dev.aoe.cli.target;

import dev.aoe.cli.CommandFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * {@code --config FILE}: one export per line, written like the command line,
 * {@code SHELF SLOT IFACE[,IFACE...] FILE [OPTIONS]}; blank lines and {@code #} comments are ignored.
 * <pre>
 * # shelf slot interfaces file          options
 * 0 1 eth0 /srv/aoe/root.img
 * 0 2 eth0,eth1 /srv/aoe/data.img --bufcnt 128 --sync
 * 1 0 eth1 /srv/aoe/iso.img --read-only
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

    static List<ExportSpec> read(Path config) {
        List<String> lines;
        try {
            lines = Files.readAllLines(config);
        } catch (NoSuchFileException e) {
            throw new CommandFailure("config file " + config + ": no such file");
        } catch (IOException e) {
            throw new CommandFailure("config file " + config + ": " + e.getMessage());
        }
        List<ExportSpec> specs = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i).replaceFirst("#.*", "").trim();
            if (text.isEmpty()) {
                continue;
            }
            String origin = config + ":" + (i + 1);
            Line line = new Line();
            try {
                new CommandLine(line).parseArgs(text.split("\\s+"));
            } catch (CommandLine.ParameterException e) {
                throw new CommandFailure(origin + ": " + e.getMessage(), 2);
            }
            Path file = line.file.isAbsolute() ? line.file : config.toAbsolutePath().getParent().resolve(line.file);
            specs.add(new ExportSpec(line.shelf, line.slot, Arrays.asList(line.interfaces.split(",")), file,
                    line.options, origin));
        }
        if (specs.isEmpty()) {
            throw new CommandFailure("config file " + config + " defines no export");
        }
        return specs;
    }
}
