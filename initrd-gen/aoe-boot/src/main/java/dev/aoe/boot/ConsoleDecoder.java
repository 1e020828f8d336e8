package dev.aoe.boot;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Turns a serial console's bytes into text lines. Firmware on SeaBIOS's serial console (iPXE,
 * SYSLINUX) paints a screen: ANSI escape sequences, carriage returns without newlines, and
 * backspace runs for its countdowns. Escapes are dropped, backspace erases, and both CR and LF end a
 * line; empty lines are not passed on.
 */
final class ConsoleDecoder {

    private enum State { TEXT, ESCAPE, CSI, CHARSET }

    private final Consumer<String> lines;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private State state = State.TEXT;

    ConsoleDecoder(Consumer<String> lines) {
        this.lines = lines;
    }

    void feed(byte[] bytes, int length) {
        for (int i = 0; i < length; i++) {
            feed(bytes[i] & 0xFF);
        }
    }

    private void feed(int b) {
        switch (state) {
            case ESCAPE -> state = b == '[' ? State.CSI : b == '(' || b == ')' ? State.CHARSET : State.TEXT;
            case CSI -> state = b >= 0x40 && b <= 0x7E ? State.TEXT : State.CSI;   // parameters until the final byte
            case CHARSET -> state = State.TEXT;
            case TEXT -> text(b);
        }
    }

    private void text(int b) {
        if (b == 0x1B) {
            state = State.ESCAPE;
        } else if (b == '\n' || b == '\r') {
            flush();
        } else if (b == '\b') {
            byte[] kept = line.toByteArray();
            line.reset();
            line.write(kept, 0, Math.max(0, kept.length - 1));
        } else if (b >= 0x20 || b == '\t') {
            line.write(b);
        }
    }

    /** Passes on the line begun, if it holds anything but blanks (also at the end of the stream). */
    void flush() {
        String text = line.toString(StandardCharsets.UTF_8).stripTrailing();
        line.reset();
        if (!text.isBlank()) {
            lines.accept(text);
        }
    }
}
