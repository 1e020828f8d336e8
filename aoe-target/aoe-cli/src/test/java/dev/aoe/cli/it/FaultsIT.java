package dev.aoe.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.hash.Hashing;
import dev.aoe.relay.RelayFaults;
import dev.aoe.testing.CliProcess;
import dev.aoe.testing.Processes;
import dev.aoe.testing.TargetProcess;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The target and the initiator as real processes in two namespaces, everything between them through
 * our fault relay: loss, duplication and reordering; blackouts shorter and longer than the dead time;
 * the target killed and restarted; the initiator's interface deleted; the image truncated. Each ends
 * with byte-exact data or the typed failure within its bound.
 */
class FaultsIT {

    private static final Duration PROCESS = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    private Path image(String name, long bytes, long seed) throws Exception {
        Path file = dir.resolve(name);
        byte[] chunk = new byte[1 << 20];
        Random random = new Random(seed);
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (long at = 0; at < bytes; at += chunk.length) {
                random.nextBytes(chunk);
                c.write(java.nio.ByteBuffer.wrap(chunk), at);
            }
        }
        return file;
    }

    private static String sha256(Path file) throws Exception {
        return Hashing.sha256().hashBytes(Files.readAllBytes(file)).toString();
    }

    private static String read(RelayLab lab, Path out, String... extra) throws Exception {
        return read(lab, out, PROCESS, extra).err();
    }

    private static CliProcess read(RelayLab lab, Path out, Duration limit, String... extra) throws Exception {
        String[] args = concat(new String[] {"read", "e0.1", "-i", lab.initiator.inside(), "-o", out.toString(), "-v"},
                extra);
        CliProcess p = CliProcess.start(lab.initiator, args);
        int code = p.waitFor(limit);
        assertThat(code).as("aoe read: %s", p.err()).isZero();
        return p;
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void lossDuplicationAndReorderingLeaveTheDataByteExact() throws Exception {
        Path file = image("disk.img", 32 << 20, 1);
        Path data = image("data.bin", 32 << 20, 2);
        try (RelayLab lab = RelayLab.create(1500, RelayFaults.NONE);
             TargetProcess target = TargetProcess.start(lab.target, 1, "0", "1", lab.target.inside(), file.toString())) {
            long start = System.nanoTime();
            Path clean = dir.resolve("clean.bin");
            read(lab, clean);
            double cleanSeconds = (System.nanoTime() - start) / 1e9;
            lab.relay.faults(RelayFaults.NONE.withLoss(0.05).withDuplicate(0.01).withReorder(0.05).withSeed(1));
            start = System.nanoTime();
            CliProcess write = CliProcess.start(lab.initiator, "write", "e0.1", "-i", lab.initiator.inside(), "-I",
                    data.toString(), "-v");
            assertThat(write.waitFor(PROCESS)).as("aoe write: %s", write.err()).isZero();
            double writeSeconds = (System.nanoTime() - start) / 1e9;
            start = System.nanoTime();
            Path back = dir.resolve("back.bin");
            read(lab, back);
            double readSeconds = (System.nanoTime() - start) / 1e9;
            assertThat(sha256(back)).isEqualTo(sha256(data));
            assertThat(sha256(file)).as("the image on the target").isEqualTo(sha256(data));
            assertThat(lab.relay.forward().dropped() + lab.relay.backward().dropped()).isPositive();
            assertThat(lab.relay.forward().duplicated() + lab.relay.backward().duplicated()).isPositive();
            assertThat(lab.relay.forward().reordered() + lab.relay.backward().reordered()).isPositive();
            System.out.printf(Locale.ROOT, "32 MiB through 5%% loss, 1%% duplication, 5%% reordering (seed 1): write %.1f s"
                    + " (%.1f MiB/s), read %.1f s (%.1f MiB/s); without faults, read %.1f s (JVM start included); %s%n",
                    writeSeconds, 32 / writeSeconds, readSeconds, 32 / readSeconds, cleanSeconds, lab.relay);
        }
    }

    @Test
    void aThreeSecondBlackoutResumesWithinASecondOfItsEnd() throws Exception {
        Path file = image("disk.img", 64 << 20, 3);
        try (RelayLab lab = RelayLab.create(1500, RelayFaults.NONE);
             TargetProcess target = TargetProcess.start(lab.target, 1, "0", "1", lab.target.inside(), file.toString())) {
            lab.relay.blackoutAfter(10_000, Duration.ofSeconds(3));   // a tenth of the way in
            Path back = dir.resolve("back.bin");
            read(lab, back);
            assertThat(sha256(back)).isEqualTo(sha256(file));
            long ended = lab.relay.blackoutEndedNanos();
            long resumed = lab.relay.forward().firstAfterBlackoutNanos();
            assertThat(ended).as("the blackout happened").isPositive();
            assertThat(resumed - ended).as("frames flow again after the link returns")
                    .isBetween(0L, TimeUnit.SECONDS.toNanos(1));
            System.out.printf(Locale.ROOT, "3 s blackout: frames flowed again %.0f ms after its end%n",
                    (resumed - ended) / 1e6);
        }
    }

    @Test
    void aFifteenSecondBlackoutFailsAtTheDeadTimeOrIsRiddenOutWithALongerOne() throws Exception {
        Path file = image("disk.img", 64 << 20, 4);
        try (RelayLab lab = RelayLab.create(1500, RelayFaults.NONE);
             TargetProcess target = TargetProcess.start(lab.target, 1, "0", "1", lab.target.inside(), file.toString())) {
            lab.relay.blackoutAfter(10_000, Duration.ofSeconds(15));
            Path out = dir.resolve("out.bin");
            CliProcess failing = CliProcess.start(lab.initiator, "read", "e0.1", "-i", lab.initiator.inside(), "-o",
                    out.toString());
            int code = failing.waitFor(Duration.ofSeconds(40));
            double seconds = (System.nanoTime() - lab.relay.blackoutStartedNanos()) / 1e9;
            assertThat(code).as("exit code; %s", failing.err()).isEqualTo(1);
            assertThat(failing.err()).contains("no answer from the target for").contains("(the dead time is 10000 ms)")
                    .doesNotContain("Exception").doesNotContain("\tat ");
            assertThat(out).as("no partial output file").doesNotExist();
            try (var files = Files.list(dir)) {
                assertThat(files.filter(p -> p.getFileName().toString().endsWith(".partial"))).isEmpty();
            }
            assertThat(seconds).as("failed at the dead time, counted from the last answer").isBetween(9.5, 13.0);
            System.out.printf(Locale.ROOT, "15 s blackout, 10 s dead time: the read failed %.1f s into it: %s", seconds,
                    failing.err());
            lab.relay.blackout(false);
            lab.relay.blackoutAfter(lab.relay.forward().forwarded() + 10_000, Duration.ofSeconds(15));
            Path back = dir.resolve("back.bin");
            read(lab, back, "--dead-time", "30s");
            assertThat(sha256(back)).isEqualTo(sha256(file));
        }
    }

    @Test
    void aTargetKilledMidWriteAndMidReadAndRestartedFinishesByteExact() throws Exception {
        Path file = image("disk.img", 64 << 20, 5);
        Path data = image("data.bin", 64 << 20, 6);
        try (RelayLab lab = RelayLab.create(1500, RelayFaults.NONE)) {
            TargetProcess target = TargetProcess.start(lab.target, 1, "0", "1", lab.target.inside(), file.toString());
            CliProcess write = CliProcess.start(lab.initiator, "write", "e0.1", "-i", lab.initiator.inside(), "-I",
                    data.toString());
            waitForFrames(lab, 20_000);
            target.kill();
            target = TargetProcess.start(lab.target, 1, "0", "1", lab.target.inside(), file.toString());
            assertThat(write.waitFor(PROCESS)).as("aoe write: %s", write.err()).isZero();
            assertThat(sha256(file)).isEqualTo(sha256(data));
            Path back = dir.resolve("back.bin");
            CliProcess read = CliProcess.start(lab.initiator, "read", "e0.1", "-i", lab.initiator.inside(), "-o",
                    back.toString());
            waitForFrames(lab, lab.relay.forward().forwarded() + 20_000);
            target.kill();
            target = TargetProcess.start(lab.target, 1, "0", "1", lab.target.inside(), file.toString());
            assertThat(read.waitFor(PROCESS)).as("aoe read: %s", read.err()).isZero();
            assertThat(sha256(back)).isEqualTo(sha256(data));
            target.stop();
        }
    }

    /** Waits, without sleeping on a guess, until the relay has carried {@code frames} frames to the initiator. */
    private static void waitForFrames(RelayLab lab, long frames) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (lab.relay.forward().forwarded() < frames) {
            assertThat(System.nanoTime()).as("frames carried").isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(5);   // polling a counter the relay's thread moves
        }
    }

    @Test
    void anInterfaceDeletedMidReadEndsTheReadWithOneLine() throws Exception {
        Path file = image("disk.img", 64 << 20, 7);
        try (RelayLab lab = RelayLab.create(1500, RelayFaults.NONE);
             TargetProcess target = TargetProcess.start(lab.target, 1, "0", "1", lab.target.inside(), file.toString())) {
            Path out = dir.resolve("out.bin");
            CliProcess read = CliProcess.start(lab.initiator, "read", "e0.1", "-i", lab.initiator.inside(), "-o",
                    out.toString());
            waitForFrames(lab, 10_000);
            Processes.check("ip", "-n", lab.initiator.name(), "link", "del", lab.initiator.inside());
            long start = System.nanoTime();
            int code = read.waitFor(Duration.ofSeconds(40));
            assertThat(code).as("exit code; %s", read.err()).isEqualTo(1);
            assertThat(read.err().strip().lines()).hasSize(1);
            assertThat(read.err()).doesNotContain("\tat ");
            assertThat(out).doesNotExist();
            System.out.printf(Locale.ROOT, "interface deleted mid-read: failed after %.1f s: %s",
                    (System.nanoTime() - start) / 1e9, read.err());
        }
    }

    @Test
    void anImageTruncatedMidReadFailsTheReadAndTheTargetLogsOneLine() throws Exception {
        Path file = image("disk.img", 64 << 20, 8);
        try (RelayLab lab = RelayLab.create(1500, RelayFaults.NONE);
             TargetProcess target = TargetProcess.start(lab.target, 1, "0", "1", lab.target.inside(), file.toString())) {
            Path out = dir.resolve("out.bin");
            CliProcess read = CliProcess.start(lab.initiator, "read", "e0.1", "-i", lab.initiator.inside(), "-o",
                    out.toString());
            waitForFrames(lab, 10_000);
            try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
                c.truncate(4 << 20);
            }
            long start = System.nanoTime();
            int code = read.waitFor(Duration.ofSeconds(30));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(code).as("exit code; %s", read.err()).isEqualTo(1);
            assertThat(read.err()).as("the target's log: %s", target.output()).contains("IDNF");
            assertThat(seconds).as("the error arrives at once, not after the dead time").isLessThan(5);
            target.stop();
            long lines = target.output().stream().filter(l -> l.contains("WARN") || l.contains("ERROR")).count();
            assertThat(lines).as("the target's log: %s", target.output()).isEqualTo(1);
            assertThat(String.join("\n", target.output())).contains("changed size under the export")
                    .doesNotContain("\tat ");
        }
    }
}
