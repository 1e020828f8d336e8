package dev.aoe.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aoe.initrd.InitrdBuilder;
import dev.aoe.initrd.InitrdSpec;
import dev.aoe.initrd.cpio.CpioEntry;
import dev.aoe.initrd.cpio.NewcWriter;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Prepares disks in a guest, for what this host's kernel cannot do (md, device mapper): the builder's
 * image for {@code spec} plus a second cpio segment with /setup.sh, booted with rdinit=/setup.sh and
 * the disks attached as /dev/vda, /dev/vdb, ... (no AoE, no network to speak of, no root). The
 * script's commands run after the modules are loaded and /dev/vd* exists; the boot must print SETUP-DONE.
 */
final class SetupGuest {

    private SetupGuest() {
    }

    static Path sparse(Path file, long bytes) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(bytes);
        }
        return file;
    }

    static void run(DebianKernel kernel, Path dir, InitrdSpec spec, String commands, List<Path> disks) throws Exception {
        Path image = dir.resolve("setup.img");
        String lastDisk = "/dev/vd" + (char) ('a' + disks.size() - 1);
        try (OutputStream out = Files.newOutputStream(image)) {
            InitrdBuilder.build(spec, out);
            NewcWriter extra = new NewcWriter(out, 0);
            extra.write(CpioEntry.file("setup.sh", 0755, String.join("\n",
                    "#!/bin/sh",
                    "export PATH=/sbin:/bin",
                    "mount -t proc proc /proc; mount -t sysfs sysfs /sys; mount -t devtmpfs devtmpfs /dev",
                    ". /lib/aoe-initrd/functions.sh; . /etc/aoe-initrd.conf; load_modules",
                    "i=0; while [ ! -b " + lastDisk + " ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done",
                    "if " + commands + "; then echo SETUP-DONE; else echo SETUP-FAILED; fi",
                    "poweroff -f", "").getBytes(StandardCharsets.UTF_8)));
            extra.finish();
        }
        AoeBoot setup = AoeBoot.builder().network(BootNetwork.UDP).kernel(kernel.vmlinux()).initrd(image)
                .append("rdinit=/setup.sh").workDir(dir.resolve("setup-work"));
        disks.forEach(setup::disk);
        try (BootedVm guest = setup.start()) {
            assertThat(guest.awaitConsole("^SETUP-", BootImages.BOOT)).as(guest.transcript()).isEqualTo("SETUP-DONE");
            assertThat(guest.awaitExit(Duration.ofSeconds(60))).isTrue();
        }
    }
}
