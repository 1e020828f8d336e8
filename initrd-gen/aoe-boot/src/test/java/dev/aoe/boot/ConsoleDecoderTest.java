package dev.aoe.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsoleDecoderTest {

    static List<String> decode(String raw) {
        List<String> lines = new ArrayList<>();
        ConsoleDecoder decoder = new ConsoleDecoder(lines::add);
        byte[] bytes = raw.getBytes(StandardCharsets.UTF_8);
        decoder.feed(bytes, bytes.length);
        decoder.flush();
        return lines;
    }

    @Test
    void kernelLinesPassThroughAndCrLfMakesNoEmptyLines() {
        assertThat(decode("[    0.000000] Linux version 6.1.0\r\n[    0.1] next\r\n"))
                .containsExactly("[    0.000000] Linux version 6.1.0", "[    0.1] next");
    }

    /** What SeaBIOS's serial console sends for iPXE's screen (captured in /tmp/bootlab's logs). */
    @Test
    void escapeSequencesAreDroppedAndBackspacesErase() {
        String ipxe = "\u001bc\u001b[2J\u001b[01;01H\u001b[=3h\u001b[2JSeaBIOS (version 1.16.2)\r\n"
                + "Press Ctrl-B to configure iPXE (PCI 00:02.0)...\u001b[0m3\b2\b1\b \b\r"
                + "\u001b[1;37miPXE\u001b[0m initialising devices...ok\r\n"
                + "\u001b(BRegistered SAN device 0x80\r\n";
        assertThat(decode(ipxe)).containsExactly("SeaBIOS (version 1.16.2)", "Press Ctrl-B to configure iPXE (PCI 00:02.0)...",
                "iPXE initialising devices...ok", "Registered SAN device 0x80");
    }

    @Test
    void aLastLineWithoutNewlineComesAtTheEnd() {
        assertThat(decode("AOE-MARKER-DONE")).containsExactly("AOE-MARKER-DONE");
    }
}
