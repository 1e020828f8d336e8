package dev.aoe.cli.initrd;

import dev.aoe.cli.Cli;
import dev.aoe.cli.Cli.Run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aoe.cli.CommandLines;
import dev.aoe.testing.Prerequisites;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** ./aoe initrd over a small synthetic module tree: the image, the listing, and each refusal as one line. */
class InitrdCommandTest {

    @TempDir
    Path dir;
    Path modules;
    Path busybox;

    static Run run(String... args) {
        return Cli.run(args);
    }

    @BeforeEach
    void setUp() throws Exception {
        busybox = Prerequisites.requireCommand("busybox", "busybox-static");
        modules = dir.resolve("lib/modules/6.1.0-test");
        for (String ko : List.of("kernel/drivers/block/aoe/aoe.ko", "kernel/drivers/net/virtio_net.ko",
                "kernel/net/core/failover.ko")) {
            Files.createDirectories(modules.resolve(ko).getParent());
            Files.write(modules.resolve(ko), new byte[] {1, 2, 3});
        }
        Files.writeString(modules.resolve("modules.dep"), "kernel/drivers/block/aoe/aoe.ko:\n"
                + "kernel/drivers/net/virtio_net.ko: kernel/net/core/failover.ko\nkernel/net/core/failover.ko:\n");
    }

    @Test
    void buildsReportsAndListsAnImage() throws Exception {
        Path image = dir.resolve("out.img");
        Run r = run("initrd", "-o", image.toString(), "--kernel-modules", modules.toString(), "--module", "virtio_net",
                "--wait", "e0.1", "--aoe-iface", "52:54:00:12:34:56", "--compress", "xz", "--busybox", busybox.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains(image + ": ", "3 modules", "raw", " xz (");
        Run list = run("initrd", "--list", image.toString());
        assertThat(list.out()).contains("init", "linuxrc", "bin/busybox", "bin/sh -> busybox", "dev/console (5,1)",
                "lib/modules/6.1.0-test/kernel/net/core/failover.ko", "lib/modules/6.1.0-test/aoe-initrd.order",
                "etc/aoe-initrd.conf");
        assertThat(list.out().indexOf(" lib\n")).as("parents first").isLessThan(list.out().indexOf(" lib/modules\n"));
    }

    @Test
    void missingModuleNamesTheClosest() {
        Run r = run("initrd", "-o", dir.resolve("x.img").toString(), "--kernel-modules", modules.toString(),
                "--module", "virtio-nett", "--busybox", busybox.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).startsWith("aoe initrd: module 'virtio-nett' not found in ").contains("(closest: virtio_net");
        assertThat(dir.resolve("x.img")).doesNotExist();
    }

    @Test
    void aDynamicBusyboxIsRefused() {
        Run r = run("initrd", "-o", dir.resolve("x.img").toString(), "--kernel-modules", modules.toString(),
                "--busybox", "/bin/ls");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("/bin/ls is dynamically linked; an initramfs needs a static busybox");
    }

    @Test
    void unwritableOutputAndBadOptionsAreOneLine() {
        Run r = run("initrd", "-o", dir.resolve("no/such/dir/x.img").toString(), "--kernel-modules", modules.toString(),
                "--busybox", busybox.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip()).startsWith("aoe initrd: cannot write ").contains("no such directory");
        assertThat(run("initrd", "-o", "x", "--compress", "lz9").err()).contains("--compress lz9: use gzip, xz, zstd or none");
        assertThat(run("initrd", "-o", "x", "--wait", "0.1").err()).contains("--wait 0.1 is not a device like e0.1");
        assertThat(run("initrd", "-o", dir.resolve("y.img").toString(), "--kernel-modules", dir.resolve("none").toString(),
                "--busybox", busybox.toString()).err()).contains("no kernel modules at");
    }
}
