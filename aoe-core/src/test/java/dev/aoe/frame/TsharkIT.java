package dev.aoe.frame;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aoe.capture.PcapFileWriter;
import dev.aoe.testing.Prerequisites;
import dev.aoe.testing.Processes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Wireshark's AoE dissector as an independent reader of what the encoder writes. */
class TsharkIT {

    private static final String[] FIELDS = {"frame.number", "aoe.version", "aoe.response", "aoe.flags_error",
        "aoe.error", "aoe.major", "aoe.minor", "aoe.cmd", "aoe.tag", "aoe.ata.cmd", "aoe.ata.status",
        "aoe.sector_count", "aoe.err_feature", "aoe.lba", "aoe.aflags.e", "aoe.aflags.w"};

    @TempDir
    Path dir;

    @Test
    void dissectorReadsTheFieldsWeEncoded() throws Exception {
        Path tshark = Prerequisites.requireCommand("tshark", "tshark");
        List<AoeFrame> frames = new ArrayList<>(FrameCodecTest.everyCommandAndSubcommand().toList());
        frames.removeIf(f -> f.header().version() != 1);   // the dissector only knows version 1
        Path file = dir.resolve("all.pcap");
        try (PcapFileWriter writer = new PcapFileWriter(file)) {
            for (AoeFrame frame : frames) {
                ByteBuf buf = Unpooled.buffer();
                FrameCodec.encode(frame, buf);
                writer.write(buf);
                buf.release();
            }
        }
        List<String> command = new ArrayList<>(List.of(tshark.toString(), "-r", file.toString(), "-T", "fields",
                "-E", "separator=,"));
        for (String field : FIELDS) {
            command.add("-e");
            command.add(field);
        }
        Processes.Result result = Processes.run(command);
        assertThat(result.exitCode()).as(result.output()).isZero();
        List<String[]> rows = result.output().lines().filter(l -> Character.isDigit(l.charAt(0)))
                .map(l -> l.split(",", -1)).toList();
        assertThat(rows).hasSize(frames.size());

        SoftAssertions soft = new SoftAssertions();
        for (int i = 0; i < frames.size(); i++) {
            AoeFrame f = frames.get(i);
            String[] row = rows.get(i);
            String what = "frame " + (i + 1) + " " + f;
            AoeHeader h = f.header();
            soft.assertThat(number(row[1])).as(what + " version").isEqualTo(h.version());
            soft.assertThat(number(row[2])).as(what + " response").isEqualTo(h.response() ? 1 : 0);
            soft.assertThat(number(row[3])).as(what + " error flag").isEqualTo(h.errorFlag() ? 1 : 0);
            if (h.errorFlag()) {
                soft.assertThat(number(row[4])).as(what + " error").isEqualTo(h.errorCode());
            }
            soft.assertThat(number(row[5])).as(what + " major").isEqualTo(h.major());
            soft.assertThat(number(row[6])).as(what + " minor").isEqualTo(h.minor());
            soft.assertThat(number(row[7])).as(what + " cmd").isEqualTo(h.command());
            soft.assertThat(number(row[8])).as(what + " tag").isEqualTo(Integer.toUnsignedLong(h.tag()));
            if (f.arg() instanceof AtaArg ata && !h.errorFlag()) {
                if (h.response()) {
                    soft.assertThat(number(row[10])).as(what + " status").isEqualTo(ata.cmdStatus());
                } else {
                    soft.assertThat(number(row[9])).as(what + " ATA command").isEqualTo(ata.cmdStatus());
                }
                soft.assertThat(number(row[11])).as(what + " sector count").isEqualTo(ata.sectorCount());
                soft.assertThat(number(row[12])).as(what + " err/feature").isEqualTo(ata.errFeature());
                soft.assertThat(number(row[13])).as(what + " lba").isEqualTo(ata.lba());
                soft.assertThat(number(row[14])).as(what + " E").isEqualTo(ata.extended() ? 1 : 0);
                soft.assertThat(number(row[15])).as(what + " W").isEqualTo(ata.write() ? 1 : 0);
            }
        }
        soft.assertAll();
    }

    private static long number(String field) {
        return Long.decode(field.trim());
    }
}
