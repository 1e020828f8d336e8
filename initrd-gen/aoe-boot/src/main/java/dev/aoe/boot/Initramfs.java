package dev.aoe.boot;

import dev.aoe.boot.BootException.Reason;
import dev.aoe.initrd.InitrdBuilder;
import dev.aoe.initrd.InitrdSpec;
import dev.aoe.initrd.image.Compression;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The default initramfs: initrd-gen's image for a kernel's modules, with the host's static busybox. */
final class Initramfs {

    static final Path BUSYBOX = Path.of("/bin/busybox");
    /** What our VM needs: its NIC and the root's file system; the generator's defaults add NICs for real machines. */
    static final List<String> VM_MODULES = List.of("virtio_pci", "virtio_net", "ext4");

    private Initramfs() {
    }

    /**
     * Writes the image to {@code out}: {@code modules} (empty: initrd-gen's defaults) and aoe, waiting up to 30 s
     * for {@code wait}, the MTU set on the AoE links, mdadm with {@code mdadmConf} (a file) or lvm when given.
     * Uncompressed where QEMU or TFTP hands it over (compressing costs the host more than the guest saves).
     */
    static void build(Path kernelModules, List<String> modules, List<String> wait, int mtu, Path mdadmConf, boolean lvm, Compression compression,
                      Path out) {
        if (!Files.isReadable(BUSYBOX)) {
            throw new BootException(Reason.ENVIRONMENT, "no busybox to build the initramfs with (apt-get install busybox-static)");
        }
        try (OutputStream o = Files.newOutputStream(out)) {
            InitrdBuilder.build(new InitrdSpec(kernelModules, modules, List.of(), wait, 30, mtu, mdadmConf, lvm, BUSYBOX, null,
                    compression, 0), o);
        } catch (IOException e) {
            throw new BootException(Reason.ENVIRONMENT, "cannot build the initramfs: " + e.getMessage(), e);
        }
    }

    /** /lib/modules/RELEASE for a bzImage given without an initramfs (its release is in the setup header). */
    static Path modulesOf(Path kernel) {
        String release = null;
        try (FileChannel ch = FileChannel.open(kernel)) {
            ByteBuffer header = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(header, 0);
            if (header.position() >= 0x210 && header.getInt(0x202) == 0x53726448) {   // "HdrS"
                ByteBuffer text = ByteBuffer.allocate(64);
                ch.read(text, 0x200 + (header.getShort(0x20E) & 0xFFFF));
                release = new String(text.array(), 0, text.position(), StandardCharsets.US_ASCII).split("[\\s\\x00]", 2)[0];
            }
        } catch (IOException e) {
            throw new BootException(Reason.BAD_INPUT, "kernel " + kernel + ": cannot read: " + e.getMessage(), e);
        }
        if (release == null || release.isEmpty()) {
            throw new BootException(Reason.BAD_INPUT, "kernel " + kernel + " is not a bzImage whose modules can be found;"
                    + " give an initramfs too");
        }
        Path modules = Path.of("/lib/modules", release);
        if (!Files.isDirectory(modules)) {
            throw new BootException(Reason.BAD_INPUT, "no modules for kernel " + release + " in " + modules
                    + "; give an initramfs too");
        }
        return modules;
    }
}
