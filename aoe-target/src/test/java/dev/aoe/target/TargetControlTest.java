package dev.aoe.target;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aoe.ata.AtaCommands;
import dev.aoe.ethernet.MacAddress;
import dev.aoe.frame.AoeCommand;
import dev.aoe.frame.AoeError;
import dev.aoe.frame.AoeFrame;
import dev.aoe.frame.AoeHeader;
import dev.aoe.frame.AtaArg;
import dev.aoe.frame.ConfigArg.Ccmd;
import dev.aoe.frame.ConfigArg;
import dev.aoe.frame.ConfigFlyweight;
import dev.aoe.frame.FrameCodec;
import dev.aoe.frame.MacMaskArg;
import dev.aoe.frame.MacMaskFlyweight;
import dev.aoe.frame.MaskDirective.Dcmd;
import dev.aoe.frame.MaskDirective;
import dev.aoe.frame.Octets;
import dev.aoe.frame.ReserveReleaseArg.Rcmd;
import dev.aoe.frame.ReserveReleaseArg;
import dev.aoe.frame.ReserveReleaseFlyweight;
import dev.aoe.target.store.FileBlockStore;
import dev.aoe.target.store.StoreOptions;
import io.netty.buffer.ByteBuf;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Query Config, MAC Mask List and Reserve/Release against a running target. */
class TargetControlTest {

    static final MacAddress HOST_A = MacAddress.parse("52:54:00:00:00:0a");
    static final MacAddress HOST_B = MacAddress.parse("52:54:00:00:00:0b");

    @TempDir
    Path dir;
    TargetHarness h;
    TargetHarness.Port a;
    TargetHarness.Port b;
    Export export;

    @BeforeEach
    void setUp() throws Exception {
        FileBlockStore store = FileBlockStore.open(dir.resolve("d.img"), new StoreOptions(false, 0, 0, 1 << 20, false, false));
        export = new Export(3, 7, store, ExportState.load(dir.resolve("state/e3.7.state")), 64, "host");
        h = new TargetHarness(1500, List.of(export));
        a = h.port("a", HOST_A.toString());
        b = h.port("b", HOST_B.toString());
        h.target.start();
        a.next();
        b.next();
    }

    @AfterEach
    void tearDown() throws Exception {
        h.close();
    }

    AoeFrame config(TargetHarness.Port port, Ccmd ccmd, String text) throws InterruptedException {
        return port.call(3, 7, AoeCommand.QUERY_CONFIG, ConfigArg.request(ccmd, Octets.ascii(text)));
    }

    @Test
    void announcesItselfAtStartToBroadcast() throws Exception {
        TargetHarness.Port late = h.port("late", "52:54:00:00:00:0c");
        h.target.announce();
        AoeFrame ad = late.next();
        assertThat(ad.destination()).isEqualTo(MacAddress.BROADCAST);
        assertThat(ad.header()).isEqualTo(new AoeHeader(1, true, false, 0, 3, 7, 1, 0));
        assertThat(((ConfigArg) ad.arg()).bufferCount()).isEqualTo(64);
    }

    @Test
    void announcesOnlyToMaskedMacsWhenAMaskIsSet() throws Exception {
        export.state().maskAdd(HOST_B);
        long sent = h.target.stats().get(ExportStats.Counter.FRAMES_SENT);
        h.target.announce();
        AoeFrame ad = b.next();
        assertThat(ad.destination()).isEqualTo(HOST_B);
        assertThat(h.target.stats().get(ExportStats.Counter.FRAMES_SENT)).as("one unicast, no broadcast").isEqualTo(sent + 1);
    }

    @Test
    void configReadAnswersBroadcastAndOwnAddressWithTheRealAddress() throws Exception {
        for (int[] address : new int[][] {{0xFFFF, 0xFF}, {3, 0xFF}, {0xFFFF, 7}, {3, 7}}) {
            AoeFrame reply = a.call(address[0], address[1], AoeCommand.QUERY_CONFIG, ConfigArg.read());
            assertThat(reply.header().major()).isEqualTo(3);
            assertThat(reply.header().minor()).isEqualTo(7);
            assertThat(reply.header().version()).isEqualTo(1);
            ConfigArg c = (ConfigArg) reply.arg();
            assertThat(c.bufferCount()).isEqualTo(64);
            assertThat(c.sectorCount()).isEqualTo(2);
            assertThat(c.aoeVersion()).isEqualTo(1);
        }
    }

    @Test
    void configStringSetTestPrefixAndForceSet() throws Exception {
        assertThat(((ConfigArg) config(a, Ccmd.SET, "owner=a").arg()).config()).isEqualTo(Octets.ascii("owner=a"));
        assertThat(config(a, Ccmd.SET, "owner=a").header().errorFlag()).as("setting the same string again").isFalse();
        AoeFrame clash = config(b, Ccmd.SET, "owner=b");
        assertThat(clash.header().errorCode()).isEqualTo(AoeError.CONFIG_STRING_PRESENT.code());
        assertThat(((ConfigArg) clash.arg()).config()).isEqualTo(Octets.ascii("owner=a"));
        assertThat(config(b, Ccmd.TEST, "owner=a").header().errorFlag()).isFalse();
        assertThat(config(b, Ccmd.TEST_PREFIX, "owner").header().errorFlag()).isFalse();
        assertThat(config(b, Ccmd.TEST_PREFIX, "").header().errorFlag()).isFalse();
        int mismatch = b.send(TargetHarness.TARGET_MAC, 3, 7, AoeCommand.QUERY_CONFIG, ConfigArg.request(Ccmd.TEST, Octets.ascii("owner")));
        b.assertNoReplyTo(mismatch);
        int notPrefix = b.send(TargetHarness.TARGET_MAC, 3, 7, AoeCommand.QUERY_CONFIG,
                ConfigArg.request(Ccmd.TEST_PREFIX, Octets.ascii("owner=ab")));
        b.assertNoReplyTo(notPrefix);
        assertThat(((ConfigArg) config(b, Ccmd.FORCE_SET, "owner=b").arg()).config()).isEqualTo(Octets.ascii("owner=b"));
        assertThat(export.state().config()).isEqualTo(Octets.ascii("owner=b"));
    }

    @Test
    void unknownCcmdAndOverlongConfigAreBadArgument() throws Exception {
        AoeFrame reply = a.call(3, 7, AoeCommand.QUERY_CONFIG, new ConfigArg(0, 0, 0, 1, 9, Octets.EMPTY));
        assertThat(reply.header().errorCode()).isEqualTo(AoeError.BAD_ARGUMENT.code());
        ByteBuf wire = FrameCodec.encode(new AoeFrame(TargetHarness.TARGET_MAC, HOST_A,
                AoeHeader.request(3, 7, AoeCommand.QUERY_CONFIG, 4242), ConfigArg.request(Ccmd.SET, Octets.ascii("abc"))),
                a.link.alloc());
        wire.setShort(ConfigFlyweight.CONFIG_LENGTH_OFFSET, 1025);
        a.sendRaw(wire);
        AoeFrame bad = a.next();
        assertThat(bad.header().tag()).isEqualTo(4242);
        assertThat(bad.header().errorCode()).isEqualTo(AoeError.BAD_ARGUMENT.code());
        assertThat(export.state().config().length()).isZero();
    }

    @Test
    void maskListEditsAndSilencesOtherMacs() throws Exception {
        AoeFrame read = a.call(3, 7, AoeCommand.MAC_MASK_LIST, MacMaskArg.read());
        assertThat(((MacMaskArg) read.arg()).directives()).isEmpty();
        AoeFrame edit = a.call(3, 7, AoeCommand.MAC_MASK_LIST, MacMaskArg.edit(List.of(
                MaskDirective.of(Dcmd.ADD, HOST_A), MaskDirective.of(Dcmd.ADD, HOST_A), MaskDirective.of(Dcmd.NONE, HOST_B))));
        assertThat(((MacMaskArg) edit.arg()).directives()).containsExactly(MaskDirective.of(Dcmd.NONE, HOST_A));
        int fromB = b.send(TargetHarness.TARGET_MAC, 3, 7, AoeCommand.QUERY_CONFIG, ConfigArg.read());
        AoeFrame fromA = a.call(3, 7, AoeCommand.QUERY_CONFIG, ConfigArg.read());
        assertThat(fromA.header().errorFlag()).isFalse();
        assertThat(b.received).as("no reply to b's request %d", fromB).isEmpty();
        assertThat(export.stats().get(ExportStats.Counter.DROPPED_MASKED)).isEqualTo(1);
        a.call(3, 7, AoeCommand.MAC_MASK_LIST, MacMaskArg.edit(List.of(MaskDirective.of(Dcmd.DELETE, HOST_A))));
        assertThat(b.call(3, 7, AoeCommand.QUERY_CONFIG, ConfigArg.read()).header().errorFlag()).isFalse();
    }

    @Test
    void maskEditStopsAtABadDirectiveWithItsIndex() throws Exception {
        AoeFrame reply = a.call(3, 7, AoeCommand.MAC_MASK_LIST, MacMaskArg.edit(List.of(
                MaskDirective.of(Dcmd.ADD, HOST_A), new MaskDirective(7, HOST_B), MaskDirective.of(Dcmd.ADD, HOST_B))));
        MacMaskArg arg = (MacMaskArg) reply.arg();
        assertThat(arg.merror()).isEqualTo(MacMaskArg.Merror.BAD_DIRECTIVE.code());
        assertThat(arg.dirCount()).isEqualTo(1);
        assertThat(export.state().mask()).containsExactly(HOST_A);
    }

    @Test
    void maskEditReportsAFullList() throws Exception {
        for (int i = 0; i < ExportState.MAX_MASK - 1; i++) {
            export.state().maskAdd(new MacAddress(0x0600_0000_0000L + i));
        }
        export.state().maskAdd(HOST_A);
        AoeFrame reply = a.call(3, 7, AoeCommand.MAC_MASK_LIST, MacMaskArg.edit(List.of(
                MaskDirective.of(Dcmd.DELETE, new MacAddress(0x0600_0000_0000L)), MaskDirective.of(Dcmd.ADD, HOST_B),
                MaskDirective.of(Dcmd.ADD, new MacAddress(0x0700_0000_0000L)))));
        MacMaskArg arg = (MacMaskArg) reply.arg();
        assertThat(arg.merror()).isEqualTo(MacMaskArg.Merror.LIST_FULL.code());
        assertThat(arg.dirCount()).isEqualTo(2);
        assertThat(export.state().mask()).hasSize(ExportState.MAX_MASK).contains(HOST_B);
    }

    @Test
    void unknownMcmdAndRcmdAreBadArgument() throws Exception {
        assertThat(a.call(3, 7, AoeCommand.MAC_MASK_LIST, new MacMaskArg(5, 0, 0, List.of())).header().errorCode())
                .isEqualTo(AoeError.BAD_ARGUMENT.code());
        assertThat(a.call(3, 7, AoeCommand.RESERVE_RELEASE, new ReserveReleaseArg(3, List.of())).header().errorCode())
                .isEqualTo(AoeError.BAD_ARGUMENT.code());
    }

    @Test
    void reservationKeepsOthersOutOfTheDiskButNotOutOfIdentify() throws Exception {
        AoeFrame set = a.call(3, 7, AoeCommand.RESERVE_RELEASE, ReserveReleaseArg.of(Rcmd.SET, List.of(HOST_A)));
        assertThat(((ReserveReleaseArg) set.arg()).macs()).containsExactly(HOST_A);
        AoeFrame readByB = b.ata(3, 7, AtaArg.command(0x24, true, 0, 1));
        assertThat(readByB.header().errorCode()).isEqualTo(AoeError.TARGET_RESERVED.code());
        AoeFrame identifyByB = b.ata(3, 7, AtaArg.command(AtaCommands.IDENTIFY_DEVICE, false, 0, 1));
        assertThat(identifyByB.header().errorFlag()).isFalse();
        assertThat(((AtaArg) a.ata(3, 7, AtaArg.command(0x24, true, 0, 1)).arg()).cmdStatus()).isEqualTo(0x40);
        AoeFrame steal = b.call(3, 7, AoeCommand.RESERVE_RELEASE, ReserveReleaseArg.of(Rcmd.SET, List.of(HOST_B)));
        assertThat(steal.header().errorCode()).isEqualTo(AoeError.TARGET_RESERVED.code());
        assertThat(((ReserveReleaseArg) steal.arg()).macs()).containsExactly(HOST_A);
        AoeFrame force = b.call(3, 7, AoeCommand.RESERVE_RELEASE, ReserveReleaseArg.of(Rcmd.FORCE_SET, List.of(HOST_B)));
        assertThat(((ReserveReleaseArg) force.arg()).macs()).containsExactly(HOST_B);
        AoeFrame release = b.call(3, 7, AoeCommand.RESERVE_RELEASE, ReserveReleaseArg.of(Rcmd.SET, List.of()));
        assertThat(((ReserveReleaseArg) release.arg()).macs()).isEmpty();
        assertThat(((AtaArg) a.ata(3, 7, AtaArg.command(0x24, true, 0, 1)).arg()).cmdStatus()).isEqualTo(0x40);
    }

    @Test
    void stateSurvivesARestartAndCorruptionIsACleanStart() throws Exception {
        config(a, Ccmd.SET, "owner=a");
        a.call(3, 7, AoeCommand.MAC_MASK_LIST, MacMaskArg.edit(List.of(MaskDirective.of(Dcmd.ADD, HOST_A))));
        a.call(3, 7, AoeCommand.RESERVE_RELEASE, ReserveReleaseArg.of(Rcmd.SET, List.of(HOST_A, HOST_B)));
        Path file = dir.resolve("state/e3.7.state");
        ExportState reloaded = ExportState.load(file);
        assertThat(reloaded.config()).isEqualTo(Octets.ascii("owner=a"));
        assertThat(reloaded.mask()).containsExactly(HOST_A);
        assertThat(reloaded.reserve()).containsExactly(HOST_A, HOST_B);
        java.nio.file.Files.writeString(file, "config=zz-not-hex\nmask=whatever\n");
        ExportState clean = ExportState.load(file);
        assertThat(clean.config().length()).isZero();
        assertThat(clean.mask()).isEmpty();
        assertThat(ExportState.load(dir.resolve("state/missing.state")).reserve()).isEmpty();
    }

    @Test
    void malformedMaskAndReserveFramesAreBadArgument() throws Exception {
        ByteBuf mask = FrameCodec.encode(new AoeFrame(TargetHarness.TARGET_MAC, HOST_A,
                AoeHeader.request(3, 7, AoeCommand.MAC_MASK_LIST, 11), MacMaskArg.edit(List.of(MaskDirective.of(Dcmd.ADD, HOST_B)))),
                a.link.alloc());
        new MacMaskFlyweight().wrap(mask).dirCount(9);   // claims 9 directives, carries 1
        a.sendRaw(mask);
        assertThat(a.next().header().errorCode()).isEqualTo(AoeError.BAD_ARGUMENT.code());
        assertThat(export.state().mask()).isEmpty();
        List<MacAddress> many = new ArrayList<>(List.of(HOST_A, HOST_B));
        ByteBuf reserve = FrameCodec.encode(new AoeFrame(TargetHarness.TARGET_MAC, HOST_A,
                AoeHeader.request(3, 7, AoeCommand.RESERVE_RELEASE, 12), ReserveReleaseArg.of(Rcmd.FORCE_SET, many)), a.link.alloc());
        new ReserveReleaseFlyweight().wrap(reserve).nmacs(200);
        a.sendRaw(reserve);
        assertThat(a.next().header().errorCode()).isEqualTo(AoeError.BAD_ARGUMENT.code());
        assertThat(export.state().reserve()).isEmpty();
    }
}
