package dev.aoe.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aoe.boot.BootException.Reason;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Wrong input is refused in one line before anything starts (no QEMU needed for these). */
class AoeBootTest {

    @TempDir
    Path dir;

    static BootException refused(AoeBoot boot) {
        try {
            boot.start().close();
        } catch (BootException e) {
            return e;
        }
        throw new AssertionError("started");
    }

    @Test
    void pxeNeedsATap() {
        BootException e = refused(AoeBoot.builder().mode(BootMode.PXE).network(BootNetwork.UDP).image(dir.resolve("x")));
        assertThat(e.reason()).isEqualTo(Reason.BAD_INPUT);
        assertThat(e.getMessage()).startsWith("PXE needs the tap network: DHCP and TFTP need a server on a real interface");
    }

    @Test
    void missingFilesAreNamed() {
        assertThat(refused(AoeBoot.builder().network(BootNetwork.UDP).image(dir.resolve("root.img"))).getMessage())
                .isEqualTo("image " + dir.resolve("root.img") + ": no such file");
        assertThat(refused(AoeBoot.builder().network(BootNetwork.UDP).kernel(dir.resolve("vmlinuz"))).getMessage())
                .isEqualTo("kernel " + dir.resolve("vmlinuz") + ": no such file");
    }

    @Test
    void anImageWithNothingToRootOnIsRefusedUnlessRootIsGiven() throws Exception {
        Path zeros = Files.write(dir.resolve("zeros.img"), new byte[1 << 16]);
        BootException e = refused(AoeBoot.builder().network(BootNetwork.UDP).image(zeros));
        assertThat(e.reason()).isEqualTo(Reason.BAD_INPUT);
        assertThat(e.getMessage()).endsWith("holds no ext file system, MBR disk with one, RAID member or LVM volume;"
                + " give root= in the kernel arguments to boot it anyway");
    }

    @Test
    void sanbootTakesEverythingFromTheDisk() throws Exception {
        Path disk = Files.write(dir.resolve("disk.img"), new byte[512]);
        assertThat(refused(AoeBoot.builder().mode(BootMode.SANBOOT).network(BootNetwork.UDP).image(disk).append("quiet"))
                .getMessage()).startsWith("sanboot boots the kernel, initramfs and arguments inside the disk image");
    }

    /** A bzImage's setup header: "HdrS" at 0x202, and at 0x20E where (past 0x200) its release string is. */
    @Test
    void aBzImageWithoutInitramfsNeedsItsModulesOnThisHost() throws Exception {
        ByteBuffer header = ByteBuffer.allocate(2048).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(0x202, 0x53726448).putShort(0x20E, (short) 0x300);
        header.put(0x500, "0.0.0-not-here (nobody@nowhere) #1".getBytes(StandardCharsets.US_ASCII));
        Path kernel = Files.write(dir.resolve("vmlinuz"), header.array());
        Path root = Files.write(dir.resolve("root.img"), new byte[4096]);
        BootException e = refused(AoeBoot.builder().network(BootNetwork.UDP).image(root).kernel(kernel)
                .append("root=/dev/etherd/e0.1"));
        assertThat(e.reason()).isEqualTo(Reason.BAD_INPUT);
        assertThat(e.getMessage()).isEqualTo("no modules for kernel 0.0.0-not-here in /lib/modules/0.0.0-not-here;"
                + " give an initramfs too");
    }

    @Test
    void imagesGetE01E02InOrder() {
        AoeBoot boot = AoeBoot.builder().image(Path.of("a")).image(Path.of("b"));
        assertThat(boot.images).extracting(ImageExport::name).containsExactly("e0.1", "e0.2");
        assertThat(ImageExport.parse("e3.4=c.img", "e0.1")).isEqualTo(new ImageExport(3, 4, Path.of("c.img")));
        assertThat(ImageExport.parse("c.img", "e0.2")).isEqualTo(new ImageExport(0, 2, Path.of("c.img")));
    }
}
