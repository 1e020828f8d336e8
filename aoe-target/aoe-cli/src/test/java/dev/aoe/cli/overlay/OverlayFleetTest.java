package dev.aoe.cli.overlay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aoe.cli.Cli;
import dev.aoe.ethernet.MacAddress;
import dev.aoe.initiator.AoeAddress;
import dev.aoe.initiator.AoeDevice;
import dev.aoe.initiator.Initiator;
import dev.aoe.link.memory.MemorySwitch;
import dev.aoe.target.Export;
import dev.aoe.target.ExportState;
import dev.aoe.target.Target;
import dev.aoe.target.overlay.ClientGroup;
import dev.aoe.target.overlay.OverlayOptions;
import dev.aoe.target.overlay.OverlayStore;
import dev.aoe.target.store.StoreOptions;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fleet on one export: 50 initiators (the initiator library, each on its own port and MAC of an
 * in-memory switch) write their own patterns over overlapping ranges of one golden image, all at once,
 * and each reads back only its own; one that never wrote reads the image; a reset gives one client
 * the image back and leaves the others alone.
 */
class OverlayFleetTest {

    static final int CLIENTS = 50;
    static final int SECTORS = 8192;           // 4 MiB
    static final int PATTERN = 64 * 1024;
    static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path tmp;

    final MemorySwitch network = new MemorySwitch(21);
    final ExecutorService io = Executors.newFixedThreadPool(4);   // requests served in parallel, as with --sync
    final List<Initiator> initiators = new ArrayList<>();
    OverlayStore store;

    @AfterEach
    void tearDown() throws Exception {
        initiators.forEach(Initiator::close);
        network.close();
        io.shutdown();
        io.awaitTermination(10, TimeUnit.SECONDS);
        if (store != null) {
            store.close();
        }
    }

    static MacAddress mac(int client) {
        return new MacAddress(0x5254_0000_1000L + client);
    }

    /** Where client {@code i} writes: 64 KiB, sector-aligned but mostly not block-aligned, overlapping its neighbours. */
    static long offset(int client) {
        return 16 * 1024L * (client % 8) + 512L * (client % 5);
    }

    static byte[] pattern(int client) {
        byte[] b = new byte[PATTERN];
        new Random(1000 + client).nextBytes(b);
        return b;
    }

    @Test
    void everyClientReadsItsOwnWritesOverTheBaseAndAResetGivesOneTheBase() throws Exception {
        Path image = tmp.resolve("golden.img");
        byte[] golden = new byte[SECTORS * 512];
        new Random(5).nextBytes(golden);
        Files.write(image, golden);
        String sha256 = sha256(image);
        Path dir = tmp.resolve("overlays");
        store = OverlayStore.open(image, StoreOptions.DEFAULT, OverlayOptions.persistent(dir)
                .withResetCheck(Duration.ofMillis(50)));
        Export export = new Export(0, 1, store.base(), ExportState.inMemory(), Export.DEFAULT_BUFFER_COUNT, "fleet");
        export.clients(store);
        new Target(network.connect("target", new MacAddress(0x0200_0000_0001L), 9000), List.of(export), io).start();

        List<AoeDevice> devices = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            Initiator initiator = Initiator.builder().link(network.connect("pc" + i, mac(i), 9000)).deadTime(WAIT)
                    .build();
            initiators.add(initiator);
            devices.add(initiator.open(AoeAddress.parse("e0.1"), WAIT));
        }
        int writers = CLIENTS - 1;   // the last client never writes

        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            AoeDevice d = devices.get(i);
            writes.add(d.writeAsync(offset(i), ByteBuffer.wrap(pattern(i))).thenCompose(done -> d.flushAsync()));
        }
        CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

        List<CompletableFuture<Void>> reads = new ArrayList<>();
        List<ByteBuffer> seen = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            ByteBuffer around = ByteBuffer.allocate(PATTERN + 8192);   // the pattern and up to 4 KiB either side
            seen.add(around);
            reads.add(devices.get(i).readAsync(Math.max(0, offset(i) - 4096), around));
        }
        CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        for (int i = 0; i < writers; i++) {
            assertThat(seen.get(i).array()).as("client %d", i)
                    .isEqualTo(expected(golden, i, Math.max(0, offset(i) - 4096), PATTERN + 8192));
        }

        byte[] whole = new byte[golden.length];
        devices.get(writers).read(0, ByteBuffer.wrap(whole));
        assertThat(whole).as("the client that never wrote").isEqualTo(golden);
        assertThat(Files.list(dir).filter(p -> !p.getFileName().toString().startsWith("."))).hasSize(writers + 1);

        var reset = Cli.run("overlay", "reset", dir.toString(), mac(3).toString(), "--force", "--wait", "10s");
        assertThat(reset.exit()).as(reset.err()).isZero();
        byte[] three = new byte[PATTERN];
        devices.get(3).read(offset(3), ByteBuffer.wrap(three));
        assertThat(three).isEqualTo(Arrays.copyOfRange(golden, (int) offset(3), (int) offset(3) + PATTERN));
        byte[] four = new byte[PATTERN];
        devices.get(4).read(offset(4), ByteBuffer.wrap(four));
        assertThat(four).isEqualTo(pattern(4));

        var list = Cli.run("overlay", "list", dir.toString());
        assertThat(list.out().lines().skip(1)).hasSize(writers - 1)
                .noneMatch(l -> l.startsWith(ClientGroup.nameOf(mac(3))));
        assertThat(sha256(image)).as("the golden image never changes").isEqualTo(sha256);
    }

    /** What client {@code i} must read at {@code from}: the image, with its own pattern only. */
    static byte[] expected(byte[] golden, int client, long from, int length) {
        byte[] view = golden.clone();
        System.arraycopy(pattern(client), 0, view, (int) offset(client), PATTERN);
        return Arrays.copyOfRange(view, (int) from, (int) from + length);
    }

    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
