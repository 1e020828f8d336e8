package dev.aoe.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.hash.Hashing;
import dev.aoe.initiator.AoeAddress;
import dev.aoe.initiator.AoeDevice;
import dev.aoe.initiator.ConcurrentIo;
import dev.aoe.initiator.Initiator;
import dev.aoe.initiator.TargetInfo;
import dev.aoe.link.spec.LinkKind;
import dev.aoe.testing.NetworkNamespace;
import dev.aoe.testing.Prerequisites;
import dev.aoe.testing.TargetProcess;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The initiator library against real targets across a veth pair into a test namespace: Debian's
 * vblade and ./aoe target, at MTU 1500 and 9000, over pcap4j and AF_PACKET links (ours on both ends). Discover, read the whole image and compare its
 * checksum with the file, write a pattern and find it in the file on disk; against our target also
 * several threads of random reads and writes over distinct ranges, verified.
 */
class RealTargetsIT {

    static final int SECTORS = 32768;   // 16 MiB
    static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} at MTU {1}, {2} links")
    @CsvSource({"vblade, 1500, pcap", "vblade, 9000, pcap", "vblade, 1500, afpacket",
            "aoe-target, 1500, pcap", "aoe-target, 9000, pcap", "aoe-target, 1500, afpacket",
            "aoe-target, 9000, afpacket"})
    void readsAndWritesARealTarget(String kind, int mtu, String link) throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireLibpcap();
        LinkKind linkKind = LinkKind.of(link);
        Path file = dir.resolve("disk.img");
        byte[] image = new byte[SECTORS * 512];
        new Random(mtu).nextBytes(image);
        Files.write(file, image);
        try (NetworkNamespace ns = NetworkNamespace.create(mtu)) {
            AutoCloseable target = kind.equals("vblade") ? vblade(ns, file) : TargetProcess.start(ns, 1, "--link", link,
                    "4", "2", ns.inside(), file.toString());
            try (target; Initiator initiator = Initiator.builder().link(linkKind.open(ns.outside())).deadTime(WAIT)
                    .build()) {
                List<TargetInfo> found = initiator.discover(WAIT, 1);
                assertThat(found).extracting(TargetInfo::address).containsExactly(new AoeAddress(4, 2));
                AoeDevice disk = initiator.open(new AoeAddress(4, 2), WAIT);
                assertThat(disk.sectors()).isEqualTo(SECTORS);
                assertThat(disk.sectorsPerFrame()).isEqualTo(mtu == 1500 ? 2 : 17);

                try (InputStream in = disk.inputStream(0, 1 << 20)) {
                    assertThat(Hashing.sha256().hashBytes(in.readAllBytes()))
                            .isEqualTo(Hashing.sha256().hashBytes(image));
                }
                byte[] pattern = new byte[300_000];
                for (int i = 0; i < pattern.length; i++) {
                    pattern[i] = (byte) (i * 31 + 7);
                }
                disk.write(1_000_001, pattern, 0, pattern.length);   // unaligned at both ends
                disk.flush();
                System.arraycopy(pattern, 0, image, 1_000_001, pattern.length);
                assertThat(Files.readAllBytes(file)).isEqualTo(image);

                if (kind.equals("aoe-target")) {
                    ConcurrentIo.run(disk, image, 4, 60, 40_000);
                    assertThat(Files.readAllBytes(file)).isEqualTo(image);
                }
            }
        }
    }

    private static AutoCloseable vblade(NetworkNamespace ns, Path file) throws Exception {
        String vblade = Prerequisites.requireCommand("vblade", "vblade").toString();
        Process p = new ProcessBuilder(ns.exec(vblade, "-b", "64", "4", "2", ns.inside(), file.toString()))
                .redirectErrorStream(true).start();
        String ready = new BufferedReader(new InputStreamReader(p.getInputStream())).readLine();
        assertThat(ready).as("vblade's start line").contains("e4.2");
        return () -> {
            p.toHandle().destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        };
    }
}
