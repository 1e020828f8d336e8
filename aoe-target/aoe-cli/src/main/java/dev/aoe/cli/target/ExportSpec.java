package dev.aoe.cli.target;

import java.nio.file.Path;
import java.util.List;

/** One export as the user asked for it, before anything is opened. */
record ExportSpec(int shelf, int slot, List<String> interfaces, Path file, ExportOptions options, String origin) {

    String name() {
        return "e" + shelf + "." + slot;
    }

    /** What makes two specs the same export: a reload keeps an export whose key did not change. */
    String key() {
        return name() + " " + String.join(",", interfaces) + " " + file.toAbsolutePath().normalize() + " "
                + options.canonical();
    }
}
