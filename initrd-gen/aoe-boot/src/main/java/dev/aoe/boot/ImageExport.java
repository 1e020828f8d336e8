package dev.aoe.boot;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** An image file a boot exports as AoE device eSHELF.SLOT. */
public record ImageExport(int shelf, int slot, Path file) {

    private static final Pattern ADDRESS = Pattern.compile("e(\\d{1,5})\\.(\\d{1,3})");

    public ImageExport {
        if (shelf < 0 || shelf > 0xFFFE || slot < 0 || slot > 0xFE) {
            throw new BootException(BootException.Reason.BAD_INPUT,
                    "e" + shelf + "." + slot + " is not an AoE address an image can have (shelf 0-65534, slot 0-254)");
        }
    }

    /** {@code e0.1=FILE}, or a plain {@code FILE} that gets {@code defaultName}. */
    public static ImageExport parse(String text, String defaultName) {
        int eq = text.indexOf('=');
        Matcher m = ADDRESS.matcher(eq > 0 ? text.substring(0, eq) : "");
        if (eq > 0 && m.matches()) {
            return new ImageExport(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Path.of(text.substring(eq + 1)));
        }
        Matcher d = ADDRESS.matcher(defaultName);
        if (!d.matches()) {
            throw new IllegalArgumentException(defaultName);
        }
        return new ImageExport(Integer.parseInt(d.group(1)), Integer.parseInt(d.group(2)), Path.of(text));
    }

    /** {@code e0.1}: the name Linux gives the device under /dev/etherd. */
    public String name() {
        return "e" + shelf + "." + slot;
    }
}
