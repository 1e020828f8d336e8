package dev.aoe.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.hash.Hashing;
import dev.aoe.initrd.InitrdBuilder;
import dev.aoe.initrd.InitrdSpec;
import dev.aoe.initrd.image.Compression;
import dev.aoe.testing.BootImages;
import dev.aoe.testing.DebianKernel;
import dev.aoe.testing.NetworkNamespace;
import dev.aoe.testing.Prerequisites;
import dev.aoe.testing.QemuGuest;
import dev.aoe.testing.TargetProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian 12's kernel boots in QEMU with the image ./aoe initrd builds, its root on an AoE device in a
 * test namespace: served by ./aoe target, by Debian's vblade, or by nobody (the boot must end in the
 * initramfs's message and shell, not a panic), and with init=/bin/sh.
 */
class InitrdBootIT {

    static final Duration BOOT = Duration.ofMinutes(3);

    @TempDir
    Path dir;
    DebianKernel kernel;
    byte[] data;

    @BeforeEach
    void setUp() throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireLibpcap();
        kernel = DebianKernel.get();
        data = new byte[1 << 20];
        new Random(5).nextBytes(data);
    }

    Path initrd(int timeout, String... waits) throws Exception {
        return initrd(List.of(), timeout, waits);
    }

    Path initrd(List<String> aoeIfaces, int timeout, String... waits) throws Exception {
        Path image = dir.resolve("initrd.img");
        try (OutputStream out = Files.newOutputStream(image)) {
            InitrdBuilder.build(new InitrdSpec(kernel.modulesDir(), List.of(), aoeIfaces, List.of(waits), timeout, null,
                    null, false, BootImages.staticBusybox(), null, Compression.GZIP, 0), out);
        }
        return image;
    }

    Path rootImage() throws Exception {
        return BootImages.ext4Root(dir, 64, Map.of("data.bin", data,
                "sbin/init", BootImages.resource("root-init.sh").getBytes(StandardCharsets.UTF_8),
                "hello.txt", "hello from the AoE root\n".getBytes(StandardCharsets.UTF_8)));
    }

    /** Boots until the root's /sbin/init prints its marker; checks the checksum, the power-off and the written file. */
    void bootsToTheMarker(QemuGuest guest, Path root) throws Exception {
        String marker = guest.await(l -> l.contains("AOE-MARKER") || l.contains("Kernel panic")
                || l.contains("dropping to a shell"), BOOT);
        assertThat(marker).as(guest.transcript()).isEqualTo("AOE-MARKER sha256=" + Hashing.sha256().hashBytes(data));
        assertThat(guest.await(l -> l.contains("AOE-MARKER-DONE"), BOOT)).as(guest.transcript()).isNotNull();
        assertThat(guest.awaitExit(Duration.ofSeconds(60))).isTrue();
        assertThat(guest.console()).anyMatch(l -> l.contains("aoe-initrd: switching to /dev/etherd/e0.1"));
    }

    @Test
    void bootsWithItsRootOnAoeTarget() throws Exception {
        Path root = rootImage();
        Path initrd = initrd(30);
        try (NetworkNamespace ns = NetworkNamespace.withTap(1500);
             TargetProcess target = TargetProcess.start(ns, 1, "0", "1", ns.inside(), root.toString());
             QemuGuest guest = QemuGuest.boot(ns, kernel.vmlinux(), initrd, "root=/dev/etherd/e0.1 rw")) {
            bootsToTheMarker(guest, root);
            assertThat(target.stop()).isZero();
        }
        assertThat(BootImages.readExt4File(root, "/written.txt")).isEqualTo("written by the guest\n");
    }

    @Test
    void bootsWithItsRootOnVblade() throws Exception {
        String vblade = Prerequisites.requireCommand("vblade", "vblade").toString();
        Path root = rootImage();
        Path initrd = initrd(30);
        try (NetworkNamespace ns = NetworkNamespace.withTap(1500)) {
            Process vb = new ProcessBuilder(ns.exec(vblade, "0", "1", ns.inside(), root.toString()))
                    .redirectErrorStream(true).start();
            try (QemuGuest guest = QemuGuest.boot(ns, kernel.vmlinux(), initrd, "root=/dev/etherd/e0.1 rw")) {
                assertThat(new BufferedReader(new InputStreamReader(vb.getInputStream())).readLine()).contains("e0.1");
                bootsToTheMarker(guest, root);
            } finally {
                vb.toHandle().destroy();
                vb.waitFor(10, TimeUnit.SECONDS);
            }
        }
        assertThat(BootImages.readExt4File(root, "/written.txt")).isEqualTo("written by the guest\n");
    }

    @Test
    void noTargetEndsInTheInitramfsShellWithinTheTimeout() throws Exception {
        Path initrd = initrd(6);
        try (NetworkNamespace ns = NetworkNamespace.withTap(1500);
             QemuGuest guest = QemuGuest.boot(ns, kernel.vmlinux(), initrd, "root=/dev/etherd/e0.1 rw")) {
            String missing = guest.await(l -> l.contains("still missing after") || l.contains("Kernel panic"), BOOT);
            assertThat(missing).as(guest.transcript()).contains("aoe-initrd: still missing after 6s: e0.1");
            assertThat(guest.await(l -> l.contains("dropping to a shell"), Duration.ofSeconds(60))).as(guest.transcript())
                    .isNotNull();
            assertThat(guest.console()).anyMatch(l -> l.contains("root device /dev/etherd/e0.1 not found"));
            guest.send("echo SHELL-$((40 + 2))");
            assertThat(guest.await(l -> l.contains("SHELL-42"), Duration.ofSeconds(60))).as(guest.transcript()).isNotNull();
            assertThat(guest.console()).noneMatch(l -> l.contains("Kernel panic"));
        }
    }

    /**
     * ip=dhcp and aoe.config=URL: busybox udhcpd and httpd in the test namespace (TEST-NET-1 addresses,
     * on the tap only). The built-in configuration names an interface that does not exist, so only the
     * fetched one can bring the root up.
     */
    @Test
    void ipDhcpAndAoeConfigUrlReplaceTheBuiltInConfiguration() throws Exception {
        Path busybox = Prerequisites.requireCommand("busybox", "busybox-static");
        Path root = rootImage();
        Path initrd = initrd(List.of("eth9"), 6);
        Path web = Files.createDirectories(dir.resolve("www"));
        Files.writeString(web.resolve("aoe.conf"), "AOE_IFACES=\"\"\nTIMEOUT=30\n");
        try (NetworkNamespace ns = NetworkNamespace.withTap(1500)) {
            dev.aoe.testing.Processes.check("ip", "-n", ns.name(), "addr", "add", "192.0.2.1/24", "dev", ns.inside());
            Path conf = Files.writeString(dir.resolve("udhcpd.conf"), "start 192.0.2.10\nend 192.0.2.20\ninterface "
                    + ns.inside() + "\nlease_file " + dir.resolve("leases") + "\npidfile " + dir.resolve("udhcpd.pid")
                    + "\noption subnet 255.255.255.0\n");
            Process dhcp = new ProcessBuilder(ns.exec(busybox.toString(), "udhcpd", "-f", conf.toString()))
                    .redirectErrorStream(true).start();
            Process http = new ProcessBuilder(ns.exec(busybox.toString(), "httpd", "-f", "-p", "192.0.2.1:8080", "-h",
                    web.toString())).redirectErrorStream(true).start();
            try (TargetProcess target = TargetProcess.start(ns, 1, "0", "1", ns.inside(), root.toString());
                 QemuGuest guest = QemuGuest.boot(ns, kernel.vmlinux(), initrd,
                         "root=/dev/etherd/e0.1 rw ip=dhcp aoe.config=http://192.0.2.1:8080/aoe.conf")) {
                bootsToTheMarker(guest, root);
                assertThat(guest.console()).anyMatch(l -> l.contains(
                        "aoe-initrd: configuration from http://192.0.2.1:8080/aoe.conf"));
            } finally {
                dhcp.toHandle().destroy();
                http.toHandle().destroy();
                dhcp.waitFor(10, TimeUnit.SECONDS);
                http.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void initBinShReachesAShellOnTheAoeRoot() throws Exception {
        Path root = rootImage();
        Path initrd = initrd(30);
        try (NetworkNamespace ns = NetworkNamespace.withTap(1500);
             TargetProcess target = TargetProcess.start(ns, 1, "0", "1", ns.inside(), root.toString());
             QemuGuest guest = QemuGuest.boot(ns, kernel.vmlinux(), initrd, "root=/dev/etherd/e0.1 ro init=/bin/sh")) {
            assertThat(guest.await(l -> l.contains("running /bin/sh") || l.contains("Kernel panic"), BOOT))
                    .as(guest.transcript()).contains("aoe-initrd: switching to /dev/etherd/e0.1");
            guest.send("/bin/busybox cat /hello.txt");
            assertThat(guest.await(l -> l.contains("hello from the AoE root"), Duration.ofSeconds(60)))
                    .as(guest.transcript()).isNotNull();
        }
    }
}
