package dev.aoe.initrd.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aoe.initrd.cpio.CpioEntry;
import dev.aoe.initrd.cpio.NewcReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class ImageBuilderTest {

    static ImageBuilder sample() {
        return new ImageBuilder()
                .add(CpioEntry.file("lib/modules/6.1/kernel/aoe.ko", 0644, new byte[1000]))
                .add(CpioEntry.file("init", 0755, "#!/bin/sh\n".getBytes(StandardCharsets.UTF_8)))
                .add(CpioEntry.symlink("bin/sh", "busybox"));
    }

    @Test
    void parentsComeBeforeTheirChildren() {
        List<String> paths = sample().entries().stream().map(CpioEntry::path).toList();
        assertThat(paths).containsExactly("bin", "bin/sh", "init", "lib", "lib/modules", "lib/modules/6.1",
                "lib/modules/6.1/kernel", "lib/modules/6.1/kernel/aoe.ko");
    }

    @Test
    void aLaterEntryReplacesAnEarlierOneAndSaysSo() {
        ImageBuilder b = sample().add(CpioEntry.file("init", 0755, "#!/bin/sh\nexec true\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(b.replaced()).containsExactly("init");
        assertThat(b.entries().stream().filter(e -> e.path().equals("init")).findFirst().orElseThrow().data())
                .asString().contains("exec true");
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void everyCompressionIsDeterministicAndReadsBack(Compression compression) throws Exception {
        ByteArrayOutputStream a = new ByteArrayOutputStream();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        ImageBuilder.Report report = sample().write(a, compression, 0);
        sample().write(b, compression, 0);
        assertThat(a.toByteArray()).isEqualTo(b.toByteArray());
        assertThat(a.size() % 4).isZero();
        assertThat(report.compressedBytes()).isEqualTo(a.size());
        assertThat(report.files()).isEqualTo(2);
        byte[] bytes = a.toByteArray();
        assertThat(Compression.detect(bytes)).isEqualTo(compression);
        List<CpioEntry> back = NewcReader.readAll(compression.unwrap(new ByteArrayInputStream(bytes)));
        assertThat(back).containsExactlyElementsOf(sample().entries());
    }

    @Test
    void xzUsesTheCrc32CheckTheKernelUnderstands() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        sample().write(out, Compression.XZ, 0);
        // stream flags: byte 6 is 0, byte 7 the check type (1 = CRC32)
        assertThat(out.toByteArray()[7]).isEqualTo((byte) 1);
    }
}
