package dev.aoe.target;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aoe.ata.AtaCommands;
import dev.aoe.frame.AoeFrame;
import dev.aoe.frame.AtaArg;
import dev.aoe.target.overlay.OverlayOptions;
import dev.aoe.target.overlay.OverlayStore;
import dev.aoe.target.store.StoreOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An export whose clients each write to their own overlay over a read-only image, through the wire. */
class OverlayExportTest {

    static final int SECTORS = 256;

    @TempDir
    Path dir;

    OverlayStore overlays;
    TargetHarness h;
    TargetHarness.Port one;
    TargetHarness.Port two;
    byte[] original;

    void start(OverlayOptions options) throws Exception {
        Path image = dir.resolve("golden.img");
        original = new byte[SECTORS * 512];
        new Random(3).nextBytes(original);
        Files.write(image, original);
        overlays = OverlayStore.open(image, StoreOptions.DEFAULT, options);
        Export export = TargetHarness.export(0, 1, overlays.base());
        export.clients(overlays);
        h = new TargetHarness(9000, List.of(export));   // 17 sectors per frame
        one = h.port("one", "52:54:00:00:00:01");
        two = h.port("two", "52:54:00:00:00:02");
        h.target.start();
        one.next();   // the announcements
        two.next();
    }

    @AfterEach
    void tearDown() throws Exception {
        h.close();
        overlays.close();
        assertThat(Files.readAllBytes(dir.resolve("golden.img"))).isEqualTo(original);
    }

    static AtaArg ata(AoeFrame reply) {
        return (AtaArg) reply.arg();
    }

    static byte[] filled(int sectors, int value) {
        byte[] b = new byte[sectors * 512];
        Arrays.fill(b, (byte) value);
        return b;
    }

    @Test
    void eachInitiatorWritesItsOwnOverlayOverTheReadOnlyBase() throws Exception {
        start(OverlayOptions.persistent(dir.resolve("overlays")));

        assertThat(ata(one.write(10, filled(2, 0x11))).cmdStatus()).isEqualTo(AtaCommands.STATUS_DRDY);
        assertThat(ata(two.write(11, filled(2, 0x22))).cmdStatus()).isEqualTo(AtaCommands.STATUS_DRDY);

        assertThat(ata(one.read(10, 2)).data().toByteArray()).isEqualTo(filled(2, 0x11));
        assertThat(ata(two.read(10, 3)).data().toByteArray())
                .isEqualTo(concat(Arrays.copyOfRange(original, 10 * 512, 11 * 512), filled(2, 0x22)));
    }

    @Test
    void aFullInMemoryOverlayAnswersWritesWithAnAtaError() throws Exception {
        start(OverlayOptions.memory(4096));
        assertThat(ata(one.write(0, filled(8, 0x33))).cmdStatus()).isEqualTo(AtaCommands.STATUS_DRDY);

        AoeFrame refused = one.write(8, filled(1, 0x44));
        assertThat(ata(refused).cmdStatus()).isEqualTo(AtaCommands.STATUS_DRDY | AtaCommands.STATUS_ERR);
        assertThat(ata(refused).errFeature()).isEqualTo(AtaCommands.ERROR_UNC);
        assertThat(ata(one.read(0, 9)).data().toByteArray()).isEqualTo(
                concat(filled(8, 0x33), Arrays.copyOfRange(original, 8 * 512, 9 * 512)));
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
