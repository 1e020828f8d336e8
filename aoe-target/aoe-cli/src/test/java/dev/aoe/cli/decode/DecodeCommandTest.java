package dev.aoe.cli.decode;

import dev.aoe.cli.Cli;
import dev.aoe.cli.Cli.Run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aoe.ata.AtaCommands;
import dev.aoe.ata.IdentifyData;
import dev.aoe.capture.PcapFileWriter;
import dev.aoe.ethernet.MacAddress;
import dev.aoe.frame.AoeCommand;
import dev.aoe.frame.AoeFrame;
import dev.aoe.frame.AoeHeader;
import dev.aoe.frame.AtaArg;
import dev.aoe.frame.ConfigArg;
import dev.aoe.frame.FrameCodec;
import dev.aoe.frame.MacMaskArg;
import dev.aoe.frame.MaskDirective;
import dev.aoe.frame.Octets;
import dev.aoe.frame.ReserveReleaseArg;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DecodeCommandTest {

    static final MacAddress HOST = MacAddress.parse("52:54:00:12:34:56");
    static final MacAddress TARGET = MacAddress.parse("02:00:00:00:00:01");

    @TempDir
    Path dir;

    static Run run(String... args) {
        return Cli.run(args);
    }

    private static void write(PcapFileWriter w, AoeFrame f) {
        ByteBuf b = FrameCodec.encode(f, io.netty.buffer.UnpooledByteBufAllocator.DEFAULT);
        w.write(b);
        b.release();
    }

    @Test
    void printsOneLinePerAoeFrameWithEveryPayloadDecoded() throws Exception {
        Path file = dir.resolve("t.pcap");
        AoeHeader identify = AoeHeader.request(0, 1, AoeCommand.ATA, 0x0002de59);
        try (PcapFileWriter w = new PcapFileWriter(file)) {
            write(w, new AoeFrame(MacAddress.BROADCAST, HOST, AoeHeader.request(0xFFFF, 0xFF, AoeCommand.QUERY_CONFIG, 0),
                    ConfigArg.read()));
            write(w, new AoeFrame(HOST, TARGET, AoeHeader.request(0xFFFF, 0xFF, AoeCommand.QUERY_CONFIG, 0).toResponse(0, 1),
                    new ConfigArg(64, 1, 2, 1, 0, Octets.ascii("owner=host1"))));
            write(w, new AoeFrame(TARGET, HOST, identify, AtaArg.command(AtaCommands.IDENTIFY_DEVICE, false, 0, 1)));
            write(w, new AoeFrame(HOST, TARGET, identify.toResponse(0, 1), new AtaArg(0, 0, 0, 0x40, 0,
                    Octets.copyOf(IdentifyData.builder().model("Model X").sectors(2048).build().toBytes()))));
            write(w, new AoeFrame(TARGET, HOST, AoeHeader.request(0, 1, AoeCommand.MAC_MASK_LIST, 5),
                    MacMaskArg.edit(List.of(MaskDirective.of(MaskDirective.Dcmd.ADD, HOST)))));
            write(w, new AoeFrame(TARGET, HOST, AoeHeader.request(0, 1, AoeCommand.RESERVE_RELEASE, 6),
                    ReserveReleaseArg.of(ReserveReleaseArg.Rcmd.SET, List.of(HOST))));
            w.write(Unpooled.wrappedBuffer(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 8, 0, 0x45, 0}));
            byte[] cut = new byte[30];
            cut[12] = (byte) 0x88;
            cut[13] = (byte) 0xA2;
            cut[14] = 0x10;
            w.write(Unpooled.wrappedBuffer(cut));
        }
        Run r = run("decode", file.toString());
        assertThat(r.exit()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(7);
        assertThat(lines.get(0)).contains("52:54:00:12:34:56 > ff:ff:ff:ff:ff:ff", "e65535.255", "QUERY_CONFIG",
                "ccmd=READ");
        assertThat(lines.get(1)).contains(" R ", "e0.1", "bufcnt=64", "scnt=2", "config=\"owner=host1\"");
        assertThat(lines.get(2)).contains("tag=0x0002de59", "cmd/status=0xec", "lba28=0", "(IDENTIFY DEVICE)");
        assertThat(lines.get(3)).contains("IDENTIFY model=\"Model X\"", "sectors=2048", "LBA48");
        assertThat(lines.get(4)).contains("MASK mcmd=EDIT", "dircount=1", "ADD 52:54:00:12:34:56");
        assertThat(lines.get(5)).contains("RESERVE rcmd=SET nmacs=1 [52:54:00:12:34:56]");
        assertThat(lines.get(6)).startsWith("8 ").contains("MALFORMED", "ATA argument: needs bytes 24..35", "ends at byte 30");
        assertThat(r.err()).contains("8 frames, 7 AoE, 1 malformed");
    }

    @Test
    void decodesTheSampleCaptureOfVbladeAndAoetools() throws Exception {
        Path sample = Path.of(DecodeCommandTest.class.getResource("/captures/sample.pcap").toURI());
        Run r = run("decode", sample.toString());
        assertThat(r.exit()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(13);
        assertThat(lines.get(0)).contains("> ff:ff:ff:ff:ff:ff v0 R e0.1 cmd=QUERY_CONFIG", "bufcnt=16 fwver=0x4019 scnt=2");
        assertThat(lines.get(3)).contains("ccmd=SET", "config=\"owner=demo\"");
        assertThat(lines.get(10)).contains("R E error=CONFIG_STRING_PRESENT", "config=\"owner=demo\"");
        assertThat(lines.get(11)).contains("...(1024 bytes)");
        assertThat(r.err()).contains("13 frames, 13 AoE, 0 malformed");
    }

    @Test
    void missingFileIsOneLineAndExitOne() {
        Run r = run("decode", dir.resolve("nope.pcap").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("aoe decode: cannot read " + dir.resolve("nope.pcap") + ": no such file");
    }

    @Test
    void notACaptureIsOneLine() throws Exception {
        Path file = dir.resolve("x.pcap");
        java.nio.file.Files.writeString(file, "garbage garbage garbage");
        Run r = run("decode", file.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).startsWith("aoe decode: not a pcap or pcapng file").doesNotContain("Exception");
    }

    @Test
    void usageErrorsExitTwo() {
        Run r = run("decode");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("Missing required parameter", "Try 'aoe decode --help'");
        assertThat(run("--version").out()).startsWith("aoe ");
        assertThat(run("--help").out()).contains("decode", "target", "initrd");
    }
}
