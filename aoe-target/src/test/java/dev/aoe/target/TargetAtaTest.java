package dev.aoe.target;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aoe.ata.AtaCommands;
import dev.aoe.ata.IdentifyData;
import dev.aoe.frame.AoeCommand;
import dev.aoe.frame.AoeError;
import dev.aoe.frame.AoeFrame;
import dev.aoe.frame.AoeHeader;
import dev.aoe.frame.AtaArg;
import dev.aoe.frame.ConfigArg;
import dev.aoe.frame.FrameCodec;
import dev.aoe.frame.HeaderFlyweight;
import dev.aoe.frame.Octets;
import dev.aoe.frame.RawArg;
import dev.aoe.target.store.FileBlockStore;
import dev.aoe.target.store.StoreOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TargetAtaTest {

    static final int SECTORS = 2048;

    @TempDir
    Path dir;
    Path image;
    byte[] original;
    TargetHarness h;
    TargetHarness.Port host;

    @BeforeEach
    void setUp() throws Exception {
        image = dir.resolve("disk.img");
        original = new byte[SECTORS * 512];
        new Random(1).nextBytes(original);
        Files.write(image, original);
        start(1500, false);
    }

    void start(int mtu, boolean readOnly) throws Exception {
        if (h != null) {
            h.close();
        }
        FileBlockStore store = FileBlockStore.open(image, new StoreOptions(readOnly, 0, 0, 0, false, false));
        h = new TargetHarness(mtu, List.of(TargetHarness.export(0, 1, store)));
        host = h.port("host", "52:54:00:12:34:56");
        h.target.start();
        host.next();   // the announcement
    }

    @AfterEach
    void tearDown() throws Exception {
        h.close();
    }

    static AtaArg ata(AoeFrame reply) {
        return (AtaArg) reply.arg();
    }

    @Test
    void identifyDescribesTheDisk() throws Exception {
        AoeFrame reply = host.ata(0, 1, AtaArg.command(AtaCommands.IDENTIFY_DEVICE, false, 0xA0000000L, 1));
        assertThat(ata(reply).cmdStatus()).isEqualTo(AtaCommands.STATUS_DRDY);
        IdentifyData id = IdentifyData.parse(ata(reply).data().toByteArray());
        assertThat(id.capacitySectors()).isEqualTo(SECTORS);
        assertThat(id.lba48()).isTrue();
        assertThat(id.flushCache()).isTrue();
        assertThat(id.flushCacheExt()).isTrue();
        assertThat(id.serial()).isEqualTo("0.1:host");
    }

    @Test
    void readsWhatIsInTheFile() throws Exception {
        AoeFrame reply = host.read(100, 2);
        assertThat(ata(reply).cmdStatus()).isEqualTo(0x40);
        assertThat(ata(reply).sectorCount()).isZero();
        assertThat(ata(reply).data().toByteArray()).isEqualTo(Arrays.copyOfRange(original, 100 * 512, 102 * 512));
        assertThat(reply.header().major()).isZero();
        assertThat(reply.header().minor()).isEqualTo(1);
    }

    @Test
    void lba28MasksTheDeviceBitsOfLba3() throws Exception {
        AoeFrame reply = host.ata(0, 1, AtaArg.command(AtaCommands.READ_SECTORS, false, 0xE0000000L | 7, 1));
        assertThat(ata(reply).data().toByteArray()).isEqualTo(Arrays.copyOfRange(original, 7 * 512, 8 * 512));
        byte[] data = new byte[512];
        Arrays.fill(data, (byte) 0x5A);
        AoeFrame ack = host.ata(0, 1, AtaArg.write(AtaCommands.WRITE_SECTORS, false, false, 0xE0000000L | 9,
                Octets.copyOf(data)));
        assertThat(ata(ack).cmdStatus()).isEqualTo(0x40);
        assertThat(Arrays.copyOfRange(Files.readAllBytes(image), 9 * 512, 10 * 512)).isEqualTo(data);
    }

    @Test
    void writesReachTheFile() throws Exception {
        byte[] data = new byte[1024];
        new Random(2).nextBytes(data);
        AoeFrame ack = host.write(SECTORS - 2, data);
        assertThat(ata(ack).cmdStatus()).isEqualTo(0x40);
        assertThat(ata(ack).write()).isTrue();
        assertThat(Arrays.copyOfRange(Files.readAllBytes(image), (SECTORS - 2) * 512, SECTORS * 512)).isEqualTo(data);
        assertThat(h.target.exports().get(0).stats().get(ExportStats.Counter.BYTES_WRITTEN)).isEqualTo(1024);
    }

    @Test
    void outOfRangeAndStraddlingRequestsFailWithIdnfAndWriteNothing() throws Exception {
        AoeFrame past = host.read(SECTORS, 1);
        assertThat(ata(past).cmdStatus()).isEqualTo(0x41);
        assertThat(ata(past).errFeature()).isEqualTo(AtaCommands.ERROR_IDNF);
        assertThat(ata(past).data().length()).isZero();
        AoeFrame straddle = host.write(SECTORS - 1, new byte[1024]);
        assertThat(ata(straddle).cmdStatus()).isEqualTo(0x41);
        assertThat(ata(straddle).errFeature()).isEqualTo(AtaCommands.ERROR_IDNF);
        assertThat(Files.readAllBytes(image)).isEqualTo(original);
    }

    @Test
    void moreSectorsThanAdvertisedIsBadArgument() throws Exception {
        // a write of 3 sectors cannot even cross a 1500-byte link; a read can ask for them
        AoeFrame reply = host.read(0, 3);
        assertThat(reply.header().errorFlag()).isTrue();
        assertThat(reply.header().errorCode()).isEqualTo(AoeError.BAD_ARGUMENT.code());
    }

    @ParameterizedTest(name = "MTU {0}")
    @ValueSource(ints = {1500, 9000})
    void advertisesTheSectorsTheMtuCarries(int mtu) throws Exception {
        start(mtu, false);
        ConfigArg config = (ConfigArg) host.call(0xFFFF, 0xFF, AoeCommand.QUERY_CONFIG, ConfigArg.read()).arg();
        int sectors = mtu == 1500 ? 2 : 17;
        assertThat(config.sectorCount()).isEqualTo(sectors);
        byte[] data = new byte[sectors * 512];
        Arrays.fill(data, (byte) 1);
        assertThat(ata(host.write(0, data)).cmdStatus()).isEqualTo(0x40);
        assertThat(ata(host.read(0, sectors)).data().toByteArray()).isEqualTo(data);
    }

    @Test
    void shortWritePayloadIsBadArgumentAndWritesNothing() throws Exception {
        AoeFrame full = new AoeFrame(TargetHarness.TARGET_MAC, host.link.mac(), AoeHeader.request(0, 1, AoeCommand.ATA, 99),
                AtaArg.write(0x34, true, false, 0, Octets.copyOf(new byte[1024])));
        ByteBuf wire = FrameCodec.encode(full, host.link.alloc());
        wire.writerIndex(36 + 1000);   // the frame ends 24 bytes short of two sectors
        host.sendRaw(wire);
        AoeFrame reply = host.next();
        assertThat(reply.header().errorCode()).isEqualTo(AoeError.BAD_ARGUMENT.code());
        assertThat(Files.readAllBytes(image)).isEqualTo(original);
    }

    @Test
    void writeToABroadcastAddressIsRefused() throws Exception {
        AoeFrame reply = host.ata(0, 0xFF, AtaArg.write(0x34, true, false, 0, Octets.copyOf(new byte[512])));
        assertThat(reply.header().errorCode()).isEqualTo(AoeError.BAD_ARGUMENT.code());
        assertThat(reply.header().minor()).as("the reply names the real slot").isEqualTo(1);
        assertThat(Files.readAllBytes(image)).isEqualTo(original);
        AoeFrame read = host.ata(0xFFFF, 0xFF, AtaArg.command(0x24, true, 0, 1));
        assertThat(ata(read).cmdStatus()).as("a broadcast read is answered").isEqualTo(0x40);
    }

    @Test
    void readOnlyExportAbortsWrites() throws Exception {
        start(1500, true);
        AoeFrame reply = host.write(0, new byte[512]);
        assertThat(ata(reply).cmdStatus()).isEqualTo(0x41);
        assertThat(ata(reply).errFeature()).isEqualTo(AtaCommands.ERROR_ABRT);
        assertThat(Files.readAllBytes(image)).isEqualTo(original);
    }

    @Test
    void unknownOpcodeIsAbortedNotAnAoeError() throws Exception {
        AoeFrame reply = host.ata(0, 1, AtaArg.command(AtaCommands.SMART, false, 0, 0));
        assertThat(reply.header().errorFlag()).isFalse();
        assertThat(ata(reply).cmdStatus()).isEqualTo(0x41);
        assertThat(ata(reply).errFeature()).isEqualTo(AtaCommands.ERROR_ABRT);
    }

    @Test
    void checkPowerModeReportsActive() throws Exception {
        AoeFrame reply = host.ata(0, 1, AtaArg.command(AtaCommands.CHECK_POWER_MODE, false, 0, 0));
        assertThat(ata(reply).sectorCount()).isEqualTo(0xFF);
        assertThat(ata(reply).cmdStatus()).isEqualTo(0x40);
    }

    @ParameterizedTest
    @ValueSource(ints = {AtaCommands.FLUSH_CACHE, AtaCommands.FLUSH_CACHE_EXT})
    void flushesReallyFlush(int opcode) throws Exception {
        AoeFrame reply = host.ata(0, 1, AtaArg.command(opcode, opcode == AtaCommands.FLUSH_CACHE_EXT, 0, 0));
        assertThat(ata(reply).cmdStatus()).isEqualTo(0x40);
        assertThat(h.target.exports().get(0).stats().get(ExportStats.Counter.FLUSHES)).isEqualTo(1);
    }

    @Test
    void otherVersionsGetError5AndUnknownCommandsError1() throws Exception {
        int tag = 77;
        host.send(new AoeFrame(TargetHarness.TARGET_MAC, host.link.mac(), new AoeHeader(2, false, false, 0, 0, 1, 0, tag),
                AtaArg.command(0x24, true, 0, 1)));
        AoeFrame v2 = host.next();
        assertThat(v2.header().errorCode()).isEqualTo(AoeError.UNSUPPORTED_VERSION.code());
        assertThat(v2.header().version()).isEqualTo(1);
        for (int command : new int[] {0x42, 0xF0, 0xFF}) {
            host.send(new AoeFrame(TargetHarness.TARGET_MAC, host.link.mac(),
                    new AoeHeader(1, false, false, 0, 0, 1, command, command), new RawArg(Octets.ascii("x".repeat(40)))));
            byte[] raw = host.nextRaw();
            AoeFrame reply = FrameCodec.decode(Unpooled.wrappedBuffer(raw));
            assertThat(reply.header().errorCode()).isEqualTo(AoeError.UNRECOGNIZED_COMMAND.code());
            assertThat(reply.header().command()).isEqualTo(command);
            assertThat(raw).as("padded to 60, nothing of the request echoed").hasSize(60);
            assertThat(Arrays.copyOfRange(raw, 24, 60)).containsOnly(0);
        }
    }

    @Test
    void reservedFlagBitsAreClearedAndResponsesPadded() throws Exception {
        AoeFrame request = new AoeFrame(TargetHarness.TARGET_MAC, host.link.mac(), AoeHeader.request(0, 1, AoeCommand.ATA, 5),
                AtaArg.command(AtaCommands.CHECK_POWER_MODE, false, 0, 0));
        ByteBuf wire = FrameCodec.encode(request, host.link.alloc());
        wire.setByte(HeaderFlyweight.VER_FLAGS_OFFSET, 0x13);   // reserved bits 0 and 1 set
        wire.setByte(HeaderFlyweight.ARG_OFFSET, 0xAC);          // aflags with undefined bits
        host.sendRaw(wire);
        byte[] raw = host.nextRaw();
        assertThat(raw).hasSize(60);
        assertThat(raw[HeaderFlyweight.VER_FLAGS_OFFSET]).isEqualTo((byte) 0x18);
        assertThat(raw[HeaderFlyweight.ARG_OFFSET] & 0xFF).isEqualTo(0xAC & 0x53);
    }

    @Test
    void framesForOtherMacsAndShelvesAreIgnored() throws Exception {
        int otherShelf = host.send(TargetHarness.TARGET_MAC, 5, 1, AoeCommand.QUERY_CONFIG, ConfigArg.read());
        host.assertNoReplyTo(otherShelf);
        ByteBuf toSomeoneElse = FrameCodec.encode(new AoeFrame(dev.aoe.ethernet.MacAddress.parse("02:00:00:00:00:99"),
                host.link.mac(), AoeHeader.request(0, 1, AoeCommand.QUERY_CONFIG, 1), ConfigArg.read()), Unpooled.buffer().alloc());
        long ignoredBefore = h.target.stats().get(ExportStats.Counter.FRAMES_IGNORED);
        h.target.onFrame(toSomeoneElse);
        toSomeoneElse.release();
        assertThat(h.target.stats().get(ExportStats.Counter.FRAMES_IGNORED)).isEqualTo(ignoredBefore + 1);
    }

    @Test
    void truncatedAtaHeaderIsBadArgument() throws Exception {
        ByteBuf wire = Unpooled.buffer();
        FrameCodec.encode(new AoeFrame(TargetHarness.TARGET_MAC, host.link.mac(), AoeHeader.request(0, 1, AoeCommand.ATA, 3),
                AtaArg.command(0x24, true, 0, 1)), wire);
        wire.writerIndex(30);
        host.sendRaw(wire);
        assertThat(host.next().header().errorCode()).isEqualTo(AoeError.BAD_ARGUMENT.code());
    }

    /** A write frame with a chosen tag, as the wire carries it. */
    private ByteBuf writeFrame(int tag, long lba, byte fill) {
        byte[] data = new byte[512];
        Arrays.fill(data, fill);
        return FrameCodec.encode(new AoeFrame(TargetHarness.TARGET_MAC, host.link.mac(), AoeHeader.request(0, 1,
                AoeCommand.ATA, tag), AtaArg.write(AtaCommands.WRITE_SECTORS_EXT, true, false, lba, Octets.copyOf(data))),
                Unpooled.buffer().alloc());
    }

    @Test
    void aLateCopyOfAnOldWriteIsAnsweredWithoutWritingOverANewerOne() throws Exception {
        ByteBuf first = writeFrame(0x8000_0101, 100, (byte) 'A');
        host.sendRaw(first.copy());
        assertThat(ata(host.next()).cmdStatus()).isEqualTo(AtaCommands.STATUS_DRDY);
        host.sendRaw(writeFrame(0x8000_0102, 100, (byte) 'B'));
        assertThat(ata(host.next()).cmdStatus()).isEqualTo(AtaCommands.STATUS_DRDY);
        host.sendRaw(first);   // the same frame again, byte for byte, after the newer write
        AoeFrame replay = host.next();
        assertThat(replay.header().tag()).isEqualTo(0x8000_0101);
        assertThat(ata(replay).cmdStatus()).as("answered as the original was").isEqualTo(AtaCommands.STATUS_DRDY);
        assertThat(Arrays.copyOfRange(Files.readAllBytes(image), 100 * 512, 101 * 512)).containsOnly((byte) 'B');
        Export export = h.target.exports().get(0);
        assertThat(export.stats().get(ExportStats.Counter.DUPLICATE_WRITES)).isEqualTo(1);
    }

    @Test
    void theSameTagWithOtherDataIsANewWrite() throws Exception {
        host.sendRaw(writeFrame(0x8000_0201, 7, (byte) 'A'));
        assertThat(ata(host.next()).cmdStatus()).isEqualTo(AtaCommands.STATUS_DRDY);
        host.sendRaw(writeFrame(0x8000_0201, 7, (byte) 'C'));
        assertThat(ata(host.next()).cmdStatus()).isEqualTo(AtaCommands.STATUS_DRDY);
        assertThat(Arrays.copyOfRange(Files.readAllBytes(image), 7 * 512, 8 * 512)).containsOnly((byte) 'C');
    }

    @Test
    void anImageThatShrinksUnderneathAnswersOutOfRangeAndAdvertisesItsNewSize() throws Exception {
        Export export = h.target.exports().get(0);
        try (java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(image,
                java.nio.file.StandardOpenOption.WRITE)) {
            c.truncate(32 * 512);
        }
        assertThat(export.store().checkSize()).contains("changed size").contains("32 now");
        AoeFrame past = host.read(40, 1);
        assertThat(ata(past).cmdStatus()).isEqualTo(0x41);
        assertThat(ata(past).errFeature()).isEqualTo(AtaCommands.ERROR_IDNF);
        AoeFrame within = host.read(31, 1);
        assertThat(ata(within).data().toByteArray()).isEqualTo(Arrays.copyOfRange(original, 31 * 512, 32 * 512));
        IdentifyData id = IdentifyData.parse(ata(host.ata(0, 1, AtaArg.command(AtaCommands.IDENTIFY_DEVICE, false, 0, 1)))
                .data().toByteArray());
        assertThat(id.capacitySectors()).isEqualTo(32);
        try (java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(image,
                java.nio.file.StandardOpenOption.WRITE)) {
            c.write(java.nio.ByteBuffer.wrap(new byte[512]), 100 * 512 - 512);
        }
        assertThat(export.store().checkSize()).contains("100 now");
        assertThat(ata(host.read(99, 1)).cmdStatus()).isEqualTo(AtaCommands.STATUS_DRDY);
    }

    @Test
    void aSecondReadWriteExportOfTheSameImageIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> FileBlockStore.open(image, StoreOptions.DEFAULT))
                .isInstanceOf(dev.aoe.target.store.StoreException.class)
                .hasMessageContaining("is already exported by this process");
    }

    @Test
    void aProbeFindsAnotherTargetServingTheSameAddressAndNoneForAFreeOne() throws Exception {
        Path other = dir.resolve("other.img");
        Files.write(other, new byte[64 * 512]);
        try (FileBlockStore store = FileBlockStore.open(other, StoreOptions.DEFAULT)) {
            Target second = new Target(h.network.connect("second", dev.aoe.ethernet.MacAddress.parse("02:00:00:00:00:02"),
                    1500), List.of(TargetHarness.export(0, 1, store)), null);
            assertThat(second.probe(java.time.Duration.ofMillis(300)))
                    .containsExactly("e0.1 is already served by 02:00:00:00:00:01 on memory:second");
            Target third = new Target(h.network.connect("third", dev.aoe.ethernet.MacAddress.parse("02:00:00:00:00:03"),
                    1500), List.of(TargetHarness.export(0, 2, store)), null);
            assertThat(third.probe(java.time.Duration.ofMillis(300))).isEmpty();
            second.close();
            third.close();
        }
    }
}
