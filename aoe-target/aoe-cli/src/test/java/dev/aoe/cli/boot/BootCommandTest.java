package dev.aoe.cli.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aoe.cli.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Usage errors of aoe boot: one line, exit 2, before anything starts (no QEMU needed). */
class BootCommandTest {

    @TempDir
    Path dir;

    static void usage(Cli.Run run, String message) {
        assertThat(run.exit()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).startsWith("aoe boot: " + message);
        assertThat(run.out()).isEmpty();
    }

    @Test
    void anImageIsNeeded() {
        usage(Cli.run("boot"), "give --image FILE");
    }

    @Test
    void pxeOverUdpIsRefusedWithTheReason() throws Exception {
        Path image = Files.write(dir.resolve("root.img"), new byte[4096]);
        usage(Cli.run("boot", "--boot", "pxe", "--net", "udp", "--image", image.toString()),
                "PXE needs the tap network: DHCP and TFTP need a server on a real interface");
    }

    @Test
    void aMissingKernelIsNamed() throws Exception {
        Path image = Files.write(dir.resolve("root.img"), new byte[4096]);
        usage(Cli.run("boot", "--net", "udp", "--image", image.toString(), "--kernel", dir.resolve("nope").toString()),
                "kernel " + dir.resolve("nope") + ": no such file");
    }

    @Test
    void anImageThatIsNoFileSystemIsRefused() throws Exception {
        Path image = Files.write(dir.resolve("zeros.img"), new byte[1 << 16]);
        Cli.Run run = Cli.run("boot", "--net", "udp", "--image", image.toString());
        usage(run, "e0.1 (" + image + ") holds no ext file system, MBR disk with one, RAID member or LVM volume");
        assertThat(run.err().lines()).hasSize(1);
    }

    @Test
    void aBadMacAndAnOverlayOverTwoImagesAreRefused() throws Exception {
        Path image = Files.write(dir.resolve("root.img"), new byte[4096]);
        usage(Cli.run("boot", "--net", "udp", "--image", image.toString(), "--mac", "01:00:5e:00:00:01"),
                "MAC 01:00:5e:00:00:01 is a group address; a NIC needs a unicast one");
        usage(Cli.run("boot", "--net", "udp", "--image", image.toString(), "--image", image.toString(),
                "--overlay", dir.resolve("o").toString()), "an overlay directory goes with exactly one image");
    }

    @Test
    void wrongWordsAreUsageErrors() {
        usage(Cli.run("boot", "--boot", "floppy", "--image", "x"), "Invalid value for option '--boot'");
        usage(Cli.run("boot", "--expect", "(", "--image", "x"), "--expect is not a regular expression");
        usage(Cli.run("boot", "--root", "x"), "--root goes with --make-disk");
        usage(Cli.run("boot", "--make-disk", "d.img"), "--make-disk needs --root DIR|IMAGE");
    }

    @Test
    void helpNamesModesNetworksAndTheDefaultMarker() {
        Cli.Run run = Cli.run("boot", "--help");
        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("direct, pxe, sanboot", "tap, udp", "aoe-initrd: switching to", "--make-disk");
    }
}
