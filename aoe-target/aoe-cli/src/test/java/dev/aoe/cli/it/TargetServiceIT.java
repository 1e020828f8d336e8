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
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code aoe target} run as the service runs it: exports from a configuration directory, reloaded while
 * an initiator reads (the untouched export misses nothing: no retransmission), a broken file that
 * changes nothing, and the Prometheus metrics moving by exactly the bytes read.
 */
class TargetServiceIT {

    private static final int PORT = 9400 + (int) (ProcessHandle.current().pid() % 500);

    @TempDir
    Path dir;

    private byte[] image(Path file, int mib, long seed) throws Exception {
        byte[] b = new byte[mib << 20];
        new Random(seed).nextBytes(b);
        Files.write(file, b);
        return b;
    }

    private static String scrape(NetworkNamespace ns) throws Exception {
        return Processes.check("ip", "netns", "exec", ns.name(), "curl", "-sf", "http://127.0.0.1:" + PORT + "/metrics");
    }

    private static double metric(String text, String name, String labels) {
        Matcher m = Pattern.compile("^" + Pattern.quote(name + "{" + labels + "}") + " (\\S+)$", Pattern.MULTILINE)
                .matcher(text);
        assertThat(m.find()).as("%s{%s} in %s", name, labels, text).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static String reload(NetworkNamespace ns) throws Exception {
        CliProcess reload = CliProcess.start(ns, "target", "--reload");
        assertThat(reload.waitFor(Duration.ofSeconds(30))).as(reload.err()).isZero();
        return reload.out();
    }

    @Test
    void reloadsWhileServingAndServesMetrics() throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireCommand("curl", "curl");
        Path conf = Files.createDirectory(dir.resolve("exports.d"));
        Path a = dir.resolve("a b.img");   // a space in the name, quoted in the file
        byte[] aBytes = image(a, 16, 1);
        Path b = dir.resolve("b.img");
        byte[] bBytes = image(b, 4, 2);
        try (NetworkNamespace ns = NetworkNamespace.create(1500)) {
            Files.writeString(conf.resolve("a.conf"), "# the disk that stays\n0 1 " + ns.inside() + " \"" + a + "\"\n");
            try (TargetProcess target = TargetProcess.start(ns, 1, "--config-dir", conf.toString(), "--metrics",
                    "127.0.0.1:" + PORT);
                 Initiator initiator = Initiator.builder().link(AfPacketLink.open(ns.outside())).build()) {
                AoeDevice disk = initiator.open(new AoeAddress(0, 1), Duration.ofSeconds(10));
                double before = metric(scrape(ns), "aoe_export_bytes_total", "direction=\"read\",export=\"e0.1\"");
                ByteBuffer all = ByteBuffer.allocate(aBytes.length);
                disk.read(0, all);
                assertThat(all.array()).isEqualTo(aBytes);
                String metrics = scrape(ns);
                assertThat(metric(metrics, "aoe_export_bytes_total", "direction=\"read\",export=\"e0.1\"") - before)
                        .as("the counter moved by the bytes read").isEqualTo(aBytes.length);
                assertThat(metric(metrics, "aoe_export_request_seconds_count", "export=\"e0.1\"")).isPositive();
                assertThat(metric(metrics, "aoe_export_capacity_bytes", "export=\"e0.1\"")).isEqualTo(aBytes.length);
                assertThat(metrics).contains("aoe_interface_frames_total{interface=\"" + ns.inside()
                        + "\",kind=\"received\"}");

                // reads of e0.1 go on while the configuration is reloaded around it
                AtomicBoolean reading = new AtomicBoolean(true);
                AtomicLong rounds = new AtomicLong();
                AtomicReference<Throwable> failure = new AtomicReference<>();
                Thread reader = new Thread(() -> {
                    ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
                    try {
                        while (reading.get()) {
                            long at = (rounds.getAndIncrement() % 16) << 20;
                            disk.read(at, chunk.clear());
                            if (!Arrays.equals(chunk.array(), Arrays.copyOfRange(aBytes, (int) at, (int) at + (1 << 20)))) {
                                throw new AssertionError("wrong data at " + at);
                            }
                        }
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                });
                reader.start();
                long retransmitsBefore = disk.retransmits();
                Files.writeString(conf.resolve("b.conf"), "0 2 " + ns.inside() + " " + b + " --read-only\n");
                assertThat(reload(ns)).contains("e0.2 added").contains(b.toString());
                AoeDevice second = initiator.open(new AoeAddress(0, 2), Duration.ofSeconds(10));
                ByteBuffer bAll = ByteBuffer.allocate(bBytes.length);
                second.read(0, bAll);
                assertThat(bAll.array()).isEqualTo(bBytes);

                Files.writeString(conf.resolve("c.conf"), "0 3 " + ns.inside() + " \"unclosed\n");
                assertThat(reload(ns)).contains("reload failed: " + conf.resolve("c.conf") + ":1: a \" quote is not closed")
                        .contains("the running configuration stays");
                Files.delete(conf.resolve("c.conf"));

                Files.delete(conf.resolve("b.conf"));
                assertThat(reload(ns)).contains("e0.2 removed");
                assertThat(reload(ns)).contains("no change");
                reading.set(false);
                reader.join();
                assertThat(failure.get()).isNull();
                assertThat(rounds.get()).as("reads during the reloads").isGreaterThan(4);
                String after = scrape(ns);
                double requests = 0;
                for (String kind : new String[] {"read", "write", "other", "config", "mask", "reserve"}) {
                    requests += metric(after, "aoe_export_requests_total", "export=\"e0.1\",kind=\"" + kind + "\"");
                }
                double replies = metric(after, "aoe_export_replies_total", "export=\"e0.1\"");
                assertThat(replies).as("every request for the untouched export was answered (its announcement too)")
                        .isEqualTo(requests + 1);
                for (String reason : new String[] {"masked", "busy", "malformed", "duplicate_write"}) {
                    assertThat(metric(after, "aoe_export_dropped_total", "export=\"e0.1\",reason=\"" + reason + "\""))
                            .isZero();
                }
                System.out.println("reads of e0.1 across three reloads: " + rounds.get() + " MiB, "
                        + (disk.retransmits() - retransmitsBefore) + " frames retransmitted by the initiator");
                assertThat(disk.retransmits() - retransmitsBefore).as("the untouched export missed nothing").isZero();
            }
        }
    }
}
