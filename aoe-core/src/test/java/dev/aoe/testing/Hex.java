package dev.aoe.testing;

import com.google.common.io.BaseEncoding;

/** Hex dumps for golden frames: whitespace and {@code #} comments to the end of a line are ignored. */
public final class Hex {

    private Hex() {
    }

    public static byte[] bytes(String annotatedHex) {
        StringBuilder digits = new StringBuilder();
        for (String line : annotatedHex.split("\n")) {
            int comment = line.indexOf('#');
            digits.append((comment >= 0 ? line.substring(0, comment) : line).replaceAll("\\s+", ""));
        }
        return BaseEncoding.base16().lowerCase().decode(digits.toString().toLowerCase());
    }

    public static String of(byte[] bytes) {
        return BaseEncoding.base16().lowerCase().encode(bytes);
    }
}
