package dev.aoe.target.overlay;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The image a directory's overlays were made over, kept in {@code DIR/base.info} so that they are
 * never laid over another image, or over the same one after it changed: an overlay holds only the
 * blocks its client wrote and takes every other block from the base. Size and modification time are
 * the check (hashing a golden image at every start would take minutes).
 *
 * <pre>
 * # aoe overlay directory: the base image these overlays were made over
 * path /srv/golden.img
 * size 21474836480
 * modified 2026-12-02T02:06:46.123456789Z
 * </pre>
 *
 * UTF-8 lines of {@code KEY VALUE}, the value running to the end of the line; {@code #} starts a comment.
 */
public record BaseImage(Path path, long size, Instant modified) {

    public static BaseImage of(Path image) throws IOException {
        try (FileChannel channel = FileChannel.open(image, StandardOpenOption.READ)) {
            long size = channel.size();   // stat says 0 for a block device
            return new BaseImage(image.toAbsolutePath().normalize(), size > 0 ? size : Files.size(image),
                    Files.getLastModifiedTime(image).toInstant());
        }
    }

    static BaseImage read(Path info) throws IOException {
        Path path = null;
        Long size = null;
        Instant modified = null;
        for (String line : Files.readAllLines(info)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.indexOf(' ');
            String key = space < 0 ? line : line.substring(0, space);
            String value = space < 0 ? "" : line.substring(space + 1);
            try {
                switch (key) {
                    case "path" -> path = Path.of(value);
                    case "size" -> size = Long.parseLong(value);
                    case "modified" -> modified = Instant.parse(value);
                    default -> { }   // keys a later version adds
                }
            } catch (NumberFormatException | DateTimeParseException e) {
                throw new IOException(info + ": bad " + key + " '" + value + "'");
            }
        }
        if (path == null || size == null || modified == null) {
            throw new IOException(info + ": path, size or modified missing");
        }
        return new BaseImage(path, size, modified);
    }

    String text() {
        return "# aoe overlay directory: the base image these overlays were made over\n"
                + "path " + path + "\nsize " + size + "\nmodified " + modified + "\n";
    }

    /** Same size and modification time: the same unchanged image, as far as a cheap check can tell. */
    public boolean sameAs(BaseImage other) {
        return size == other.size && modified.equals(other.modified);
    }

    @Override
    public String toString() {
        return path + " (" + size + " bytes, modified " + modified + ")";
    }
}
