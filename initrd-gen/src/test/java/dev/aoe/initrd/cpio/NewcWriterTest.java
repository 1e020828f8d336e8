package dev.aoe.initrd.cpio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aoe.testing.Prerequisites;
import dev.aoe.testing.Processes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NewcWriterTest {

    @TempDir
    Path dir;

    static final List<CpioEntry> ENTRIES = List.of(
            CpioEntry.directory("etc"),
            CpioEntry.file("etc/motd", 0644, "hello, AoE\n".getBytes(StandardCharsets.UTF_8)),
            CpioEntry.file("init", 0755, "#!/bin/sh\necho odd-sized\n".getBytes(StandardCharsets.UTF_8)),
            CpioEntry.directory("bin"),
            CpioEntry.symlink("bin/sh", "busybox"),
            CpioEntry.file("bin/empty", 0600, new byte[0]));

    static byte[] archive(List<CpioEntry> entries, long mtime) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NewcWriter w = new NewcWriter(out, mtime);
        for (CpioEntry e : entries) {
            w.write(e);
        }
        w.finish();
        return out.toByteArray();
    }

    @Test
    void gnuCpioListsAndExtractsWhatWeWrite() throws Exception {
        Path cpio = Prerequisites.requireCommand("cpio", "cpio");
        Path file = dir.resolve("a.cpio");
        Files.write(file, archive(ENTRIES, 1_700_000_000L));
        String listing = Processes.check("sh", "-c", cpio + " -t < " + file + " 2>/dev/null");
        assertThat(listing.lines()).containsExactly("etc", "etc/motd", "init", "bin", "bin/sh", "bin/empty");
        Path out = Files.createDirectory(dir.resolve("out"));
        Processes.check("sh", "-c", "cd " + out + " && " + cpio + " -i -d --quiet < " + file);
        assertThat(Files.readString(out.resolve("etc/motd"))).isEqualTo("hello, AoE\n");
        assertThat(Files.readString(out.resolve("init"))).isEqualTo("#!/bin/sh\necho odd-sized\n");
        assertThat(Files.getPosixFilePermissions(out.resolve("init"))).isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(Files.readSymbolicLink(out.resolve("bin/sh")).toString()).isEqualTo("busybox");
        assertThat(Files.size(out.resolve("bin/empty"))).isZero();
        String verbose = Processes.check("sh", "-c", cpio + " -tv < " + file + " 2>/dev/null");
        assertThat(verbose).contains("root", "2023");   // uid 0 and the given mtime (2023-11-14)
    }

    @Test
    void readsBackItsOwnArchivesIncludingDevices() throws Exception {
        List<CpioEntry> withDevice = new java.util.ArrayList<>(ENTRIES);
        withDevice.add(CpioEntry.directory("dev"));
        withDevice.add(CpioEntry.charDevice("dev/console", 0600, 5, 1));
        assertThat(NewcReader.readAll(new ByteArrayInputStream(archive(withDevice, 0)))).containsExactlyElementsOf(withDevice);
    }

    @Test
    void recordsAreFourByteAlignedAndTheFormatIsNewc() throws Exception {
        byte[] a = archive(ENTRIES, 0);
        assertThat(a.length % 4).isZero();
        assertThat(new String(a, 0, 6, StandardCharsets.US_ASCII)).isEqualTo("070701");
        // first header: inode 1, mode 040755, uid 0, gid 0, nlink 2
        assertThat(new String(a, 6, 40, StandardCharsets.US_ASCII)).isEqualTo("00000001000041ED000000000000000000000002");
        // the trailer's name (11 bytes with its NUL) after its 110-byte header, padded to 124
        assertThat(new String(a, StandardCharsets.US_ASCII).lastIndexOf("TRAILER!!!")).isEqualTo(a.length - 14);
    }

    @Test
    void rejectsPathsTheKernelWouldMishandle() {
        assertThatThrownBy(() -> CpioEntry.directory("/etc")).hasMessageContaining("bad archive path");
        assertThatThrownBy(() -> CpioEntry.file("a//b", 0644, new byte[0])).hasMessageContaining("bad archive path");
        assertThatThrownBy(() -> NewcReader.readAll(new ByteArrayInputStream("garbage-garbage-garbage".repeat(10)
                .getBytes(StandardCharsets.US_ASCII)))).hasMessageContaining("not a newc cpio archive");
    }
}
