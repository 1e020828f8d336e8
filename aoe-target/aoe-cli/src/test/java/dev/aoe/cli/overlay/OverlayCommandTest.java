package dev.aoe.cli.overlay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aoe.cli.Cli;
import dev.aoe.cli.Cli.Run;
import dev.aoe.ethernet.MacAddress;
import dev.aoe.target.overlay.ClientGroup;
import dev.aoe.target.overlay.OverlayOptions;
import dev.aoe.target.overlay.OverlayStore;
import dev.aoe.target.store.BlockStore;
import dev.aoe.target.store.StoreOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The overlay verbs on a directory a real OverlayStore wrote, with and without the store still serving it. */
class OverlayCommandTest {

    static final int SECTORS = 2048;
    static final MacAddress A = MacAddress.parse("52:54:00:00:00:0a");
    static final MacAddress B = MacAddress.parse("52:54:00:00:00:0b");
    static final MacAddress C = MacAddress.parse("52:54:00:00:00:0c");

    @TempDir
    Path tmp;

    Path image;
    Path dir;
    byte[] baseBytes;
    OverlayStore store;

    @BeforeEach
    void setUp() throws Exception {
        image = tmp.resolve("golden.img");
        dir = tmp.resolve("overlays");
        baseBytes = new byte[SECTORS * 512];
        new Random(9).nextBytes(baseBytes);
        Files.write(image, baseBytes);
        store = OverlayStore.open(image, StoreOptions.DEFAULT, OverlayOptions.persistent(dir)
                .withClients(List.of(new ClientGroup("pc1", List.of(A, B)))).withResetCheck(Duration.ofMillis(20)));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (store != null) {
            store.close();
        }
        assertThat(Files.readAllBytes(image)).as("the base never changes").isEqualTo(baseBytes);
    }

    void stop() throws Exception {
        store.close();
        store = null;
    }

    void write(MacAddress mac, long lba, byte[] bytes) throws Exception {
        BlockStore s = store.forClient(mac.value());
        s.write(lba, bytes.length / 512, Unpooled.wrappedBuffer(bytes), 0);
        s.flush();
    }

    byte[] read(MacAddress mac, long lba, int count) throws Exception {
        ByteBuf buf = Unpooled.buffer();
        store.forClient(mac.value()).read(lba, count, buf);
        byte[] b = ByteBufUtil.getBytes(buf);
        buf.release();
        return b;
    }

    static byte[] filled(int sectors, int value) {
        byte[] b = new byte[sectors * 512];
        Arrays.fill(b, (byte) value);
        return b;
    }

    byte[] baseSectors(int lba, int count) {
        return Arrays.copyOfRange(baseBytes, lba * 512, (lba + count) * 512);
    }

    static Run run(String... args) {
        return Cli.run(args);
    }

    static void assertOneLineFailure(Run r, int exit, String message) {
        assertThat(r.exit()).isEqualTo(exit);
        assertThat(r.err()).contains(message).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(r.err().strip().lines().findFirst().orElseThrow()).contains(message);
    }

    @Test
    void listShowsEachClientWithItsMacsBlocksAndState() throws Exception {
        write(A, 8, filled(16, 1));   // blocks 1 and 2
        write(C, 0, filled(1, 2));    // block 0

        Run r = run("overlay", "list", dir.toString());
        assertThat(r.exit()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).startsWith("CLIENT").contains("MACS", "BLOCKS", "BYTES", "LAST WRITE", "STATE");
        assertThat(lines.get(1)).startsWith("52-54-00-00-00-0c").contains(" 52:54:00:00:00:0c ", " 1 ", " 4 KiB ")
                .endsWith("in use");
        assertThat(lines.get(2)).startsWith("pc1 ").contains(" 52:54:00:00:00:0a,52:54:00:00:00:0b ", " 2 ", " 8 KiB ")
                .endsWith("in use");
        assertThat(r.err()).startsWith("2 clients, 3 blocks (12 KiB) over " + image.toAbsolutePath());

        stop();
        assertThat(run("overlay", "list", dir.toString()).out().lines().skip(1)).allMatch(l -> l.endsWith("idle"));
    }

    @Test
    void listShowsADamagedMapInsteadOfFailing() throws Exception {
        write(C, 0, filled(1, 2));
        stop();
        Files.write(dir.resolve("52-54-00-00-00-0c/map"), new byte[12288]);
        Run r = run("overlay", "list", dir.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out().lines().skip(1).findFirst().orElseThrow())
                .endsWith("damaged: " + dir.resolve("52-54-00-00-00-0c/map") + ": not an overlay map (no AOEOVMAP magic)");
    }

    @Test
    void diffPrintsTheRangesAClientWroteAndWithTheBaseOnlyThoseThatDiffer() throws Exception {
        write(A, 8, filled(16, 1));             // blocks 1-2
        write(A, 100, filled(1, 2));            // block 12, in part
        write(A, 160, baseSectors(160, 8));     // block 20, rewritten with what the base holds

        Run held = run("overlay", "diff", dir.toString(), "pc1");
        assertThat(held.exit()).isZero();
        assertThat(held.out().lines()).containsExactly(
                "bytes 4096-12287 (8 KiB), sectors 8-23",
                "bytes 49152-53247 (4 KiB), sectors 96-103",
                "bytes 81920-86015 (4 KiB), sectors 160-167");
        assertThat(held.err()).startsWith("3 ranges, 16 KiB held by pc1");

        Run differing = run("overlay", "diff", dir.toString(), B.toString(), "--base", image.toString());
        assertThat(differing.out().lines()).containsExactly(
                "bytes 4096-12287 (8 KiB), sectors 8-23",
                "bytes 49152-53247 (4 KiB), sectors 96-103");
    }

    @Test
    void commitWritesTheBaseWithTheClientsBlocksAndNeverReplacesAFile() throws Exception {
        write(A, 8, filled(16, 1));
        write(A, 100, filled(1, 2));
        write(C, 0, filled(8, 3));   // another client's overlay stays out
        Path output = tmp.resolve("golden-2.img");

        Run served = run("overlay", "commit", dir.toString(), "pc1", "--base", image.toString(), "-o", output.toString());
        assertOneLineFailure(served, 1, "pc1 is being served by a running target");
        assertThat(output).doesNotExist();

        stop();
        Run r = run("overlay", "commit", dir.toString(), "pc1", "--base", image.toString(), "-o", output.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith(output + ": " + image + " (1 MiB) with 3 blocks (12 KiB) of pc1");
        byte[] expected = baseBytes.clone();
        System.arraycopy(filled(16, 1), 0, expected, 8 * 512, 16 * 512);
        System.arraycopy(filled(1, 2), 0, expected, 100 * 512, 512);
        assertThat(Files.readAllBytes(output)).isEqualTo(expected);
        try (var entries = Files.list(tmp)) {
            assertThat(entries.map(p -> p.getFileName().toString())).doesNotContain(".golden-2.img.partial");
        }

        Run again = run("overlay", "commit", dir.toString(), "pc1", "--base", image.toString(), "-o", output.toString());
        assertOneLineFailure(again, 1, output + " exists: commit writes a new image and never replaces one");
        Run otherBase = run("overlay", "commit", dir.toString(), "pc1", "--base", output.toString(), "-o",
                tmp.resolve("x.img").toString());
        assertOneLineFailure(otherBase, 1, output + " is not the image the overlays in " + dir + " were made over");
    }

    @Test
    void commitWithForceTakesAServedClientAsOfItsLastFlush() throws Exception {
        write(A, 8, filled(8, 1));
        BlockStore a = store.forClient(A.value());
        a.write(16, 8, Unpooled.wrappedBuffer(filled(8, 9)), 0);   // not flushed: not in the map file yet
        Path output = tmp.resolve("golden-2.img");

        Run r = run("overlay", "commit", dir.toString(), "pc1", "--base", image.toString(), "-o", output.toString(),
                "--force");
        assertThat(r.exit()).as(r.err()).isZero();
        byte[] written = Files.readAllBytes(output);
        assertThat(Arrays.copyOfRange(written, 8 * 512, 16 * 512)).isEqualTo(filled(8, 1));
        assertThat(Arrays.copyOfRange(written, 16 * 512, 24 * 512)).isEqualTo(baseSectors(16, 8));
    }

    @Test
    void resetRefusesAServedClientAndWithForceTheTargetServesItTheBase() throws Exception {
        write(A, 0, filled(8, 1));
        write(C, 0, filled(8, 2));

        Run refused = run("overlay", "reset", dir.toString(), "pc1");
        assertOneLineFailure(refused, 1, "pc1 is being served by a running target (its overlay is locked): stop the"
                + " target, or use --force once the client is down");
        assertThat(read(B, 0, 8)).isEqualTo(filled(8, 1));

        Run forced = run("overlay", "reset", dir.toString(), B.toString(), "--force", "--wait", "10s");
        assertThat(forced.exit()).as(forced.err()).isZero();
        assertThat(forced.out().strip())
                .isEqualTo("pc1: the running target let go of the overlay and serves the base; overlay deleted");
        assertThat(read(A, 0, 8)).isEqualTo(baseSectors(0, 8));
        assertThat(read(C, 0, 8)).isEqualTo(filled(8, 2));
        assertThat(run("overlay", "list", dir.toString()).out().lines().skip(1)).hasSize(1);
    }

    @Test
    void resetOfAClientNoTargetServesDeletesItsOverlay() throws Exception {
        write(C, 0, filled(8, 2));
        stop();
        Run r = run("overlay", "reset", dir.toString(), "52-54-00-00-00-0c");
        assertThat(r.exit()).isZero();
        assertThat(r.out().strip()).isEqualTo("52-54-00-00-00-0c: overlay deleted; its next boot reads the base");
        assertThat(dir.resolve("52-54-00-00-00-0c")).doesNotExist();
    }

    @Test
    void badInputIsOneLineAndAnExitCode() throws Exception {
        write(C, 0, filled(1, 2));
        assertOneLineFailure(run("overlay", "list", tmp.resolve("nope").toString()), 1,
                "aoe overlay list: " + tmp.resolve("nope") + ": no such directory");
        assertOneLineFailure(run("overlay", "list", tmp.toString()), 1,
                tmp + " is not an overlay directory (it has no base.info)");
        assertOneLineFailure(run("overlay", "reset", dir.toString(), "pc9"), 1,
                "aoe overlay reset: no overlay of pc9 in " + dir + " ('aoe overlay list " + dir + "' shows the clients)");
        assertOneLineFailure(run("overlay", "diff", dir.toString(), "52:54:00:00:00:99"), 1, "no overlay of 52:54:00:00:00:99");
        assertOneLineFailure(run("overlay", "commit", dir.toString(), "52-54-00-00-00-0c", "--base",
                tmp.resolve("none.img").toString(), "-o", tmp.resolve("n.img").toString()), 1,
                "cannot read " + tmp.resolve("none.img") + ": no such file");
        assertOneLineFailure(run("overlay"), 2, "aoe overlay: missing verb: list, reset, commit or diff");
        assertOneLineFailure(run("overlay", "reset", dir.toString()), 2, "Missing required parameter: 'CLIENT'");
        assertOneLineFailure(run("overlay", "commit", dir.toString(), "pc1", "-o", "x.img"), 2,
                "Missing required option: '--base=IMAGE'");
        assertOneLineFailure(run("overlay", "reset", dir.toString(), "pc1", "--wait", "soon"), 2,
                "'soon' is not a duration");
    }

    @Test
    void theVerbIsListedInTheRootsHelp() {
        Run r = run("--help");
        assertThat(r.out()).contains("overlay");
        assertThat(run("overlay", "--help").out()).contains("list", "reset", "commit", "diff");
    }
}
