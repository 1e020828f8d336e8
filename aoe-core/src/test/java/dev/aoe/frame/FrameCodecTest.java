package dev.aoe.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aoe.ata.AtaCommands;
import dev.aoe.ethernet.MacAddress;
import dev.aoe.frame.ConfigArg.Ccmd;
import dev.aoe.frame.MacMaskArg.Mcmd;
import dev.aoe.frame.MacMaskArg.Merror;
import dev.aoe.frame.MaskDirective.Dcmd;
import dev.aoe.frame.ReserveReleaseArg.Rcmd;
import dev.aoe.testing.Hex;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FrameCodecTest {

    static final MacAddress GUEST = MacAddress.parse("52:54:00:12:34:56");
    static final MacAddress TARGET = MacAddress.parse("02:00:00:00:00:01");

    static AoeFrame decodeHex(String hex) {
        return FrameCodec.decode(Unpooled.wrappedBuffer(Hex.bytes(hex)));
    }

    static byte[] encode(AoeFrame frame) {
        ByteBuf buf = Unpooled.buffer();
        try {
            FrameCodec.encode(frame, buf);
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    // Frames as the Linux 6.1 aoe driver sends them on a tap: unpadded, 32 and 36 bytes (boot-notes.md).
    @Test
    void decodesLinuxDiscoveryQueryOf32Bytes() {
        AoeFrame f = decodeHex("""
                ffffffffffff 525400123456 88a2   # broadcast, from the guest, AoE
                10 00 ffff ff 01 00000000        # ver 1, no flags, error 0, e65535.255, Query Config, tag 0
                0000 0000 00 00 0000             # bufcnt, fwver, scnt, ver/ccmd, cslen: all zero
                """);
        assertThat(f.destination()).isEqualTo(MacAddress.BROADCAST);
        assertThat(f.source()).isEqualTo(GUEST);
        assertThat(f.header()).isEqualTo(new AoeHeader(1, false, false, 0, 0xFFFF, 0xFF, 1, 0));
        assertThat(f.header().isBroadcast()).isTrue();
        assertThat(f.arg()).isEqualTo(new ConfigArg(0, 0, 0, 0, 0, Octets.EMPTY));
        assertThat(((ConfigArg) f.arg()).knownCcmd()).contains(Ccmd.READ);
    }

    @Test
    void decodesLinuxIdentifyOf36BytesWithDeviceBitsInLba3() {
        AoeFrame f = decodeHex("""
                020000000001 525400123456 88a2
                10 00 0000 01 00 0002de59        # e0.1, ATA, tag 0x0002de59
                00 00 01 ec 000000a00000 0000    # no aflags, scnt 1, IDENTIFY, lba3 = 0xa0 (device register)
                """);
        assertThat(f.header().tag()).isEqualTo(0x0002de59);
        assertThat(f.header().major()).isZero();
        assertThat(f.header().minor()).isEqualTo(1);
        AtaArg ata = (AtaArg) f.arg();
        assertThat(ata.cmdStatus()).isEqualTo(AtaCommands.IDENTIFY_DEVICE);
        assertThat(ata.sectorCount()).isEqualTo(1);
        assertThat(ata.lba()).isEqualTo(0xa0000000L);
        assertThat(ata.lba28()).isZero();
        assertThat(ata.effectiveLba()).isZero();
        assertThat(ata.extended()).isFalse();
        assertThat(ata.data().length()).isZero();
    }

    @Test
    void decodesLinuxReadExtWithLittleEndianLba() {
        AoeFrame f = decodeHex("""
                020000000001 525400123456 88a2
                10 00 0000 01 00 0003de07
                40 00 02 24 563412efcdab 0000    # E flag, 2 sectors, READ EXT, lba 0xabcdef123456
                """);
        AtaArg ata = (AtaArg) f.arg();
        assertThat(ata.extended()).isTrue();
        assertThat(ata.write()).isFalse();
        assertThat(ata.lba()).isEqualTo(0xabcdef123456L);
        assertThat(ata.effectiveLba()).isEqualTo(0xabcdef123456L);
        assertThat(new AtaFlyweight().wrap(Unpooled.wrappedBuffer(encode(f))).lba()).isEqualTo(0xabcdef123456L);
    }

    @Test
    void encodesConfigResponsePaddedToSixtyBytes() {
        AoeFrame reply = new AoeFrame(GUEST, TARGET, new AoeHeader(1, true, false, 0, 0, 1, 1, 0),
                new ConfigArg(16, 0x4019, 2, 1, 0, Octets.EMPTY));
        assertThat(Hex.of(encode(reply))).isEqualTo(Hex.of(Hex.bytes("""
                525400123456 020000000001 88a2
                18 00 0000 01 01 00000000        # ver 1 + R, e0.1, Query Config
                0010 4019 02 10 0000             # bufcnt 16, fwver 0x4019, scnt 2, ver 1 ccmd 0, no string
                00000000000000000000000000000000000000000000000000000000 # padding: 28 bytes to 60
                """)));
    }

    @Test
    void encodesErrorResponseFlags() {
        AoeFrame reply = new AoeFrame(GUEST, TARGET,
                new AoeHeader(1, true, false, 0, 7, 3, 0xF3, 0x80000001).withError(AoeError.UNRECOGNIZED_COMMAND),
                new RawArg(Octets.copyOf(new byte[36])));
        byte[] b = encode(reply);
        assertThat(b[14]).isEqualTo((byte) 0x1C);
        assertThat(b[15]).isEqualTo((byte) 1);
        assertThat(Hex.of(b).substring(32, 48)).isEqualTo("000703f380000001");
    }

    @Test
    void encodesAtaWriteWithDataAfterTwelveByteArgument() {
        byte[] data = new byte[1024];
        data[0] = 0x55;
        data[1023] = (byte) 0xAA;
        AoeFrame w = new AoeFrame(TARGET, GUEST, AoeHeader.request(0, 1, AoeCommand.ATA, 9),
                AtaArg.write(AtaCommands.WRITE_SECTORS_EXT, true, false, 0x0102030405L, Octets.copyOf(data)));
        byte[] b = encode(w);
        assertThat(b).hasSize(36 + 1024);
        assertThat(Hex.of(b).substring(48, 72)).isEqualTo("410002340504030201000000");
        assertThat(b[36]).isEqualTo((byte) 0x55);
        assertThat(b[36 + 1023]).isEqualTo((byte) 0xAA);
    }

    static Stream<AoeFrame> everyCommandAndSubcommand() {
        List<AoeFrame> frames = new ArrayList<>();
        AoeHeader ata = AoeHeader.request(1, 2, AoeCommand.ATA, 0x12345678);
        for (int flags : new int[] {0, AtaFlyweight.FLAG_EXTENDED, AtaFlyweight.FLAG_EXTENDED | AtaFlyweight.FLAG_DEVICE,
                AtaFlyweight.FLAG_ASYNC}) {
            frames.add(frame(ata, new AtaArg(flags, 0, 2, AtaCommands.READ_SECTORS_EXT, 0xFFFF_FFFF_FFFFL, Octets.EMPTY)));
        }
        frames.add(frame(ata, AtaArg.write(AtaCommands.WRITE_SECTORS, false, true, 5, Octets.copyOf(new byte[512]))));
        frames.add(frame(ata, AtaArg.write(AtaCommands.WRITE_SECTORS_EXT, true, false, 1L << 40,
                Octets.copyOf(new byte[17 * 512]))));
        frames.add(frame(ata.toResponse(1, 2), new AtaArg(0, 0, 0, AtaCommands.STATUS_DRDY, 7,
                Octets.copyOf(new byte[1024]))));
        frames.add(frame(ata.toResponse(1, 2), new AtaArg(AtaFlyweight.FLAG_WRITE, 0, 0, AtaCommands.STATUS_DRDY, 7,
                Octets.EMPTY)));
        frames.add(frame(ata.toResponse(1, 2), new AtaArg(0, AtaCommands.ERROR_IDNF, 2, 0x41, 7, Octets.EMPTY)));

        AoeHeader cfg = AoeHeader.request(0xFFFF, 0xFF, AoeCommand.QUERY_CONFIG, 0);
        for (Ccmd c : Ccmd.values()) {
            frames.add(frame(cfg, ConfigArg.request(c, Octets.ascii("host=" + c))));
        }
        frames.add(frame(cfg, new ConfigArg(0, 0, 0, 1, 7, Octets.EMPTY)));   // unknown ccmd survives
        frames.add(frame(cfg.toResponse(3, 4), new ConfigArg(64, 0x0100, 17, 1, 0,
                Octets.copyOf(new byte[ConfigFlyweight.MAX_CONFIG_LENGTH]))));

        AoeHeader mask = AoeHeader.request(3, 4, AoeCommand.MAC_MASK_LIST, 77);
        frames.add(frame(mask, MacMaskArg.read()));
        frames.add(frame(mask, MacMaskArg.edit(List.of(MaskDirective.of(Dcmd.ADD, GUEST),
                MaskDirective.of(Dcmd.DELETE, TARGET), MaskDirective.of(Dcmd.NONE, MacAddress.BROADCAST)))));
        frames.add(frame(mask.toResponse(3, 4), MacMaskArg.list(Mcmd.EDIT.code(),
                List.of(MaskDirective.of(Dcmd.NONE, GUEST)))));
        frames.add(frame(mask.toResponse(3, 4), MacMaskArg.failure(Mcmd.EDIT.code(), Merror.LIST_FULL, 2)));

        AoeHeader res = AoeHeader.request(3, 4, AoeCommand.RESERVE_RELEASE, -1);
        for (Rcmd r : Rcmd.values()) {
            frames.add(frame(res, ReserveReleaseArg.of(r, List.of(GUEST, TARGET))));
        }
        frames.add(frame(res.toResponse(3, 4), ReserveReleaseArg.of(Rcmd.READ, List.of())));

        for (AoeError e : AoeError.values()) {
            frames.add(frame(cfg.toResponse(0, 1).withError(e), ConfigArg.read()));
        }
        frames.add(frame(new AoeHeader(1, true, true, 200, 0, 1, 0xF0, 1), new RawArg(Octets.copyOf(new byte[40]))));
        frames.add(frame(new AoeHeader(1, false, false, 0, 0, 1, 0x42, 1), new RawArg(Octets.copyOf(new byte[36]))));
        frames.add(frame(new AoeHeader(2, false, false, 0, 0, 1, 1, 1), ConfigArg.read()));
        return frames.stream();
    }

    static AoeFrame frame(AoeHeader header, Arg arg) {
        return header.response() ? new AoeFrame(GUEST, TARGET, header, arg) : new AoeFrame(TARGET, GUEST, header, arg);
    }

    @ParameterizedTest
    @MethodSource("everyCommandAndSubcommand")
    void roundTrips(AoeFrame frame) {
        byte[] wire = encode(frame);
        assertThat(wire.length).isEqualTo(Math.max(60, frame.encodedLength()));
        assertThat(FrameCodec.decode(Unpooled.wrappedBuffer(wire))).isEqualTo(frame);
    }

    @Test
    void decodingNeverMovesTheBufferOrReadsPastTheReceivedBytes() {
        byte[] wire = encode(frame(AoeHeader.request(0, 1, AoeCommand.QUERY_CONFIG, 1),
                ConfigArg.request(Ccmd.SET, Octets.ascii("abcdef"))));
        // The received frame is followed by stale bytes in the same buffer: a config length pointing
        // into them must fail rather than read them.
        ByteBuf buf = Unpooled.buffer(200);
        buf.writeBytes(wire, 0, 38).writeBytes(new byte[100]);
        buf.setShort(ConfigFlyweight.CONFIG_LENGTH_OFFSET, 40);
        ByteBuf received = buf.slice(0, 38);
        assertThatThrownBy(() -> FrameCodec.decode(received)).isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("config string").hasMessageContaining("ends at byte 38");
        assertThat(received.readerIndex()).isZero();
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("shorter than the AoE header", "ffffffffffff 525400123456 88a2 10 00",
                        "AoE header", "bytes 0..23 but the frame ends at byte 16"),
                Arguments.of("not AoE", "ffffffffffff 525400123456 0800 4500 0000 0000 0000 0000",
                        "EtherType", "0x0800 at offset 12"),
                Arguments.of("ATA argument cut short", "020000000001 525400123456 88a2 10 00 0000 01 00 00000001 40 00 02",
                        "ATA argument", "bytes 24..35 but the frame ends at byte 27"),
                Arguments.of("write with one of two sectors", "020000000001 525400123456 88a2 10 00 0000 01 00 00000001"
                        + " 41 00 02 34 000000000000 0000" + "00".repeat(512),
                        "ATA write data (2 sectors)", "bytes 36..1059 but the frame ends at byte 548"),
                Arguments.of("config string over 1024", "ffffffffffff 525400123456 88a2 10 00 ffff ff 01 00000000"
                        + " 0000 0000 00 13 0401", "config string length", "1025 at offset 30 exceeds 1024"),
                Arguments.of("config string past the end", "ffffffffffff 525400123456 88a2 10 00 ffff ff 01 00000000"
                        + " 0000 0000 00 13 000a 61626364", "config string", "bytes 32..41 but the frame ends at byte 36"),
                Arguments.of("config argument cut short", "ffffffffffff 525400123456 88a2 10 00 ffff ff 01 00000000 0000",
                        "config argument", "bytes 24..31 but the frame ends at byte 26"),
                Arguments.of("mask directives past the end", "020000000001 525400123456 88a2 10 00 0000 01 02 00000001"
                        + " 00 01 00 03 0001525400123456", "MAC mask directives (3)", "bytes 28..51 but the frame ends at byte 36"),
                Arguments.of("reserve MACs past the end", "020000000001 525400123456 88a2 10 00 0000 01 03 00000001"
                        + " 01 05 525400123456 020000000001", "reserve/release MAC list (5)",
                        "bytes 26..55 but the frame ends at byte 38"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void rejectsMalformedFramesNamingFieldAndOffsets(String description, String hex, String field, String offsets) {
        assertThatThrownBy(() -> decodeHex(hex))
                .isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining(field)
                .hasMessageContaining(offsets)
                .satisfies(e -> assertThat(((MalformedFrameException) e).replyError()).isEqualTo(AoeError.BAD_ARGUMENT));
    }

    @Test
    void readResponseDataIsWholeSectorsAndIgnoresPadding() {
        byte[] wire = encode(frame(AoeHeader.request(0, 1, AoeCommand.ATA, 1).toResponse(0, 1),
                new AtaArg(0, 0, 0, 0x40, 0, Octets.copyOf(new byte[512]))));
        byte[] withTrailer = java.util.Arrays.copyOf(wire, wire.length + 100);
        AtaArg ata = (AtaArg) FrameCodec.decode(Unpooled.wrappedBuffer(withTrailer)).arg();
        assertThat(ata.data().length()).isEqualTo(512);
    }

    @Test
    void writeRequestIgnoresBytesPastItsSectors() {
        byte[] wire = encode(frame(AoeHeader.request(0, 1, AoeCommand.ATA, 1),
                AtaArg.write(AtaCommands.WRITE_SECTORS_EXT, true, false, 0, Octets.copyOf(new byte[512]))));
        byte[] withTrailer = java.util.Arrays.copyOf(wire, wire.length + 7);
        assertThat(((AtaArg) FrameCodec.decode(Unpooled.wrappedBuffer(withTrailer)).arg()).data().length()).isEqualTo(512);
    }

    @Test
    void otherVersionsDecodeSoATargetCanAnswerError5() {
        AoeFrame f = decodeHex("020000000001 525400123456 88a2 20 00 0000 01 00 0000abcd 40 00 02 24 000000000000 0000");
        assertThat(f.header().version()).isEqualTo(2);
        assertThat(f.header().tag()).isEqualTo(0xabcd);
        assertThat(HeaderFlyweight.version(Unpooled.wrappedBuffer(encode(f)))).isEqualTo(2);
    }

    @Test
    void decodesVbladeAnnouncementWithVersionZero() {
        // vblade 25's unsolicited config response at startup, captured on a veth (captures/sample.pcap, frame 1)
        AoeFrame f = decodeHex("""
                ffffffffffff 3e0cafb123cc 88a2
                08 00 0000 01 01 00000000        # version 0 (sic), R; e0.1 Query Config, tag 0
                0010 4019 02 10 0000             # bufcnt 16, fwver 0x4019, scnt 2
                """);
        assertThat(f.header().version()).isZero();
        assertThat(f.header().response()).isTrue();
        assertThat(f.arg()).isEqualTo(new ConfigArg(16, 0x4019, 2, 1, 0, Octets.EMPTY));
    }

    @Test
    void namesCodesAndKeepsUnknownOnes() {
        assertThat(AoeError.describe(4)).isEqualTo("CONFIG_STRING_PRESENT");
        assertThat(AoeError.describe(7)).isEqualTo("unknown(7)");
        assertThat(AoeCommand.describe(0xF5)).isEqualTo("VENDOR(0xf5)");
        assertThat(AoeCommand.describe(9)).isEqualTo("unknown(9)");
        assertThat(HeaderFlyweight.isAoe(Unpooled.wrappedBuffer(new byte[10]))).isFalse();
    }

    @Test
    void refusesToEncodeWhatTheWireCannotCarry() {
        AoeHeader ata = AoeHeader.request(0, 1, AoeCommand.ATA, 1);
        assertThatThrownBy(() -> new AoeFrame(TARGET, GUEST, ata,
                new AtaArg(AtaFlyweight.FLAG_WRITE, 0, 2, 0x34, 0, Octets.copyOf(new byte[512]))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot carry 512");
        assertThatThrownBy(() -> new AoeFrame(TARGET, GUEST, ata, ConfigArg.read()))
                .hasMessageContaining("takes AtaArg");
        assertThatThrownBy(() -> new MacMaskArg(0, 0, 2, List.of())).hasMessageContaining("directive count 2");
        assertThatThrownBy(() -> ConfigArg.request(Ccmd.SET, Octets.copyOf(new byte[1025])))
                .hasMessageContaining("exceeds 1024");
        assertThatThrownBy(() -> AtaArg.command(0x24, true, 1L << 48, 1)).hasMessageContaining("lba");
    }
}
