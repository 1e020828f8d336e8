package dev.aoe.boot;

import static dev.aoe.boot.BootImages.BOOT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aoe.boot.BootImages.MarkerRoot;
import dev.aoe.boot.Milestone.Kind;
import dev.aoe.initrd.InitrdBuilder;
import dev.aoe.initrd.InitrdSpec;
import dev.aoe.initrd.image.Compression;
import dev.aoe.testing.Prerequisites;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian 12's kernel boots with the image ./aoe initrd builds, its root on an AoE device served by
 * Debian's vblade (the boot's built-in target left out), or by nobody (the boot must end in the
 * initramfs's message and shell, not a panic), and with init=/bin/sh. (Served by our target: every
 * other boot test; ip=dhcp with aoe.config=URL: {@link PxeBootIT}.)
 */
class InitrdBootIT {

    @TempDir
    Path dir;
    DebianKernel kernel;

    @BeforeEach
    void setUp() {
        kernel = BootImages.kernel();
    }

    Path initrd(int timeout) throws Exception {
        Path image = dir.resolve("initrd.img");
        try (OutputStream out = Files.newOutputStream(image)) {
            InitrdBuilder.build(new InitrdSpec(kernel.modulesDir(), List.of(), List.of(), List.of(), timeout, null,
                    null, false, BootImages.staticBusybox(), null, Compression.GZIP, 0), out);
        }
        return image;
    }

    @Test
    void bootsWithItsRootOnVblade() throws Exception {
        BootImages.requireQemu(BootNetwork.TAP);
        String vblade = Prerequisites.requireCommand("vblade", "vblade").toString();
        MarkerRoot root = BootImages.markerRoot(dir, 5);
        try (BootedVm vm = AoeBoot.builder().network(BootNetwork.TAP).tapPrefix(BootImages.TAP_PREFIX)
                .initrd(initrd(30)).append("root=/dev/etherd/e0.1 rw").workDir(dir.resolve("work")).start()) {
            // no image, so no built-in target: vblade serves the tap, and the initramfs keeps asking until it answers
            Process vb = new ProcessBuilder(vblade, "0", "1", vm.tapName(), root.image().toString())
                    .redirectErrorStream(true).start();
            try {
                assertThat(new BufferedReader(new InputStreamReader(vb.getInputStream())).readLine()).contains("e0.1");
                BootImages.bootsToTheMarker(vm, root);
                assertThat(BootImages.kinds(vm)).doesNotContain(Kind.TARGET_UP)
                        .containsSubsequence(Kind.KERNEL_STARTED, Kind.AOE_FOUND, Kind.ROOT_MOUNTED);
                assertThat(vm.console()).anyMatch(l -> l.contains("aoe-initrd: switching to /dev/etherd/e0.1"))
                        .anyMatch(l -> l.contains("e0.1 v4019 has 131072 sectors"));   // vblade's firmware version
            } finally {
                vb.toHandle().destroy();
                vb.waitFor(10, TimeUnit.SECONDS);
            }
        }
        assertThat(BootImages.readExt4File(root.image(), "/written.txt")).isEqualTo(BootImages.WRITTEN);
    }

    @Test
    void noTargetEndsInTheInitramfsShellWithinTheTimeout() throws Exception {
        BootImages.requireQemu(BootNetwork.UDP);
        try (BootedVm vm = AoeBoot.builder().network(BootNetwork.UDP).initrd(initrd(6)).append("root=/dev/etherd/e0.1 rw")
                .workDir(dir.resolve("work")).start()) {
            assertThat(vm.awaitConsole("still missing after", BOOT)).contains("aoe-initrd: still missing after 6s: e0.1");
            assertThat(vm.awaitConsole("dropping to a shell", Duration.ofSeconds(60))).isNotNull();
            assertThat(vm.console()).anyMatch(l -> l.contains("root device /dev/etherd/e0.1 not found"));
            vm.send("echo SHELL-$((40 + 2))");
            assertThat(vm.awaitConsole("SHELL-42", Duration.ofSeconds(60))).isNotNull();
            assertThat(vm.console()).noneMatch(l -> l.contains("Kernel panic"));
        }
    }

    @Test
    void initBinShReachesAShellOnTheAoeRoot() throws Exception {
        BootImages.requireQemu(BootNetwork.UDP);
        MarkerRoot root = BootImages.markerRoot(dir, 6);
        try (BootedVm vm = AoeBoot.builder().network(BootNetwork.UDP).image(root.image()).initrd(initrd(30))
                .append("ro init=/bin/sh").workDir(dir.resolve("work")).start()) {
            assertThat(vm.awaitConsole("running /bin/sh", BOOT)).contains("aoe-initrd: switching to /dev/etherd/e0.1");
            vm.send("/bin/busybox cat /hello.txt");
            assertThat(vm.awaitConsole("hello from the AoE root", Duration.ofSeconds(60))).isNotNull();
        }
    }
}
