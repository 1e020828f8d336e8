package dev.aoe.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aoe.initiator.AoeAddress;
import dev.aoe.initiator.AoeDevice;
import dev.aoe.initiator.Initiator;
import dev.aoe.link.afpacket.AfPacketLink;
import dev.aoe.testing.CliProcess;
import dev.aoe.testing.NetworkNamespace;
import dev.aoe.testing.Prerequisites;
import dev.aoe.testing.Processes;
import dev.aoe.testing.TargetProcess;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What keeps a target from doing harm: two targets never serve one image, a second target for an
 * address already served is refused (and, forced, is refused by the initiator instead of mixed in),
 * and a write the initiator saw acknowledged survives the target's kill -9.
 */
class TargetSafetyIT {

    @TempDir
    Path dir;

    private Path image(String name, int mib, byte fill) throws IOException {
        byte[] b = new byte[mib << 20];
        Arrays.fill(b, fill);
        return Files.write(dir.resolve(name), b);
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void aSecondTargetOnTheSameImageIsRefused() throws Exception {
        Prerequisites.requireRoot();
        Path file = image("disk.img", 4, (byte) 1);
        try (NetworkNamespace ns = NetworkNamespace.create(1500);
             TargetProcess first = TargetProcess.start(ns, 1, "0", "1", ns.inside(), file.toString())) {
            CliProcess second = CliProcess.start(ns, "target", "0", "2", ns.inside(), file.toString());
            assertThat(second.waitFor(Duration.ofSeconds(30))).isEqualTo(1);
            assertThat(second.err().strip()).isEqualTo("aoe target: e0.2: " + file
                    + " is in use by another process (it holds a lock on it: another target?); refusing to serve it"
                    + " read-write too");
        }
    }

    /**
     * A bridge in the host joins three namespaces: two targets and an initiator on one segment, each
     * with its own MAC, as on a switch.
     */
    @Test
    void aSecondTargetForAnAddressIsRefusedAndForcedIsRefusedByTheInitiator() throws Exception {
        Prerequisites.requireRoot();
        Path a = image("a.img", 4, (byte) 'a');
        Path b = image("b.img", 8, (byte) 'b');
        String bridge = NetworkNamespace.PREFIX + "br" + ProcessHandle.current().pid() % 100000;
        try (NetworkNamespace one = NetworkNamespace.create(1500); NetworkNamespace two = NetworkNamespace.create(1500);
             NetworkNamespace host = NetworkNamespace.create(1500)) {
            Processes.check("ip", "link", "add", bridge, "type", "bridge");
            try {
                for (NetworkNamespace ns : new NetworkNamespace[] {one, two, host}) {
                    Processes.check("ip", "link", "set", ns.outside(), "master", bridge);
                }
                Processes.check("ip", "link", "set", bridge, "up");
                try (TargetProcess first = TargetProcess.start(one, 1, "0", "1", one.inside(), a.toString())) {
                    CliProcess refused = CliProcess.start(two, "target", "0", "1", two.inside(), b.toString());
                    assertThat(refused.waitFor(Duration.ofSeconds(30))).isEqualTo(1);
                    assertThat(refused.err()).contains("e0.1 is already served by").contains("refusing to answer for it"
                            + " too").contains("--force serves it anyway");
                    try (TargetProcess forced = TargetProcess.start(two, 1, "--force", "0", "1", two.inside(),
                            b.toString())) {
                        assertThat(String.join("\n", forced.output())).contains("serving it anyway (--force)");
                        CliProcess read = CliProcess.start(host, "read", "e0.1", "-i", host.inside(), "-o",
                                dir.resolve("out.bin").toString());
                        assertThat(read.waitFor(Duration.ofSeconds(60))).isEqualTo(1);
                        assertThat(read.err()).contains("two different targets answer for this address")
                                .contains("refusing the device");
                        assertThat(dir.resolve("out.bin")).doesNotExist();
                    }
                }
            } finally {
                Processes.run(java.util.List.of("ip", "link", "del", bridge));
            }
        }
    }

    /**
     * Writes numbered 4 KiB blocks, 16 in flight, and remembers the highest one before which every
     * block was acknowledged; kills the target with SIGKILL in the middle; every acknowledged block is
     * in the file. With --sync each write is on stable storage before its answer; without it, the
     * writes acknowledged before an acknowledged FLUSH are (and a kill -9, unlike a power cut, keeps
     * the page cache anyway).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"--sync", "--flush", "--overlay --sync"})
    void everyAcknowledgedWriteSurvivesAKillNine(String mode) throws Exception {
        Prerequisites.requireRoot();
        int blocks = 8192;
        Path file = image("disk.img", 32, (byte) 0);
        String[] args = switch (mode) {
            case "--sync" -> new String[] {"--sync"};
            case "--flush" -> new String[0];
            default -> new String[] {"--sync", "--overlay", dir.resolve("overlays").toString()};
        };
        boolean overlay = mode.startsWith("--overlay");
        String before = overlay ? com.google.common.hash.Hashing.sha256().hashBytes(Files.readAllBytes(file)).toString()
                : null;
        try (NetworkNamespace ns = NetworkNamespace.create(1500)) {
            String[] all = concat(args, "0", "1", ns.inside(), file.toString());
            TargetProcess target = TargetProcess.start(ns, 1, all);
            AtomicLong acknowledged = new AtomicLong(-1);
            try (Initiator initiator = Initiator.builder().link(AfPacketLink.open(ns.outside()))
                    .deadTime(Duration.ofSeconds(2)).build()) {
                AoeDevice disk = initiator.open(new AoeAddress(0, 1), Duration.ofSeconds(10));
                ArrayDeque<CompletableFuture<Void>> window = new ArrayDeque<>();
                int next = 0;
                int done = 0;
                try {
                    while (done < blocks) {
                        while (next < blocks && window.size() < 16) {
                            ByteBuffer block = ByteBuffer.allocate(4096);
                            block.putInt(0, next + 1).putInt(4092, next + 1);
                            window.add(disk.writeAsync(4096L * next, block));
                            next++;
                        }
                        AoeDevice.await(window.poll());
                        done++;
                        if (mode.equals("--sync")) {
                            acknowledged.set(done);
                        } else if (done % 256 == 0) {
                            disk.flush();
                            acknowledged.set(done);
                        }
                        if (done == blocks / 2) {
                            target.kill();   // the rest of the writes fail at the dead time
                        }
                    }
                } catch (IOException expected) {
                    // the target is gone
                }
            }
            assertThat(acknowledged.get()).as("writes acknowledged before the kill").isGreaterThanOrEqualTo(blocks / 2 - 256);
            ByteBuffer image;
            if (overlay) {
                // the client's view, after a restart: the base is untouched, the overlay holds the writes
                assertThat(com.google.common.hash.Hashing.sha256().hashBytes(Files.readAllBytes(file)).toString())
                        .isEqualTo(before);
                try (TargetProcess again = TargetProcess.start(ns, 1, all);
                     Initiator initiator = Initiator.builder().link(AfPacketLink.open(ns.outside())).build()) {
                    AoeDevice disk = initiator.open(new AoeAddress(0, 1), Duration.ofSeconds(10));
                    image = ByteBuffer.allocate(32 << 20);
                    disk.read(0, image);
                    image.flip();
                }
            } else {
                image = ByteBuffer.wrap(Files.readAllBytes(file));
            }
            for (int i = 0; i < acknowledged.get(); i++) {
                assertThat(image.getInt(4096 * i)).as("block %d, acknowledged", i).isEqualTo(i + 1);
                assertThat(image.getInt(4096 * i + 4092)).as("block %d's end", i).isEqualTo(i + 1);
            }
        }
    }
}
