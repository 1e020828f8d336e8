package dev.aoe.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aoe.ata.AtaCommands;
import dev.aoe.ata.IdentifyData;
import dev.aoe.ethernet.MacAddress;
import dev.aoe.frame.AoeCommand;
import dev.aoe.frame.AoeError;
import dev.aoe.frame.AoeFrame;
import dev.aoe.frame.AoeHeader;
import dev.aoe.frame.Arg;
import dev.aoe.frame.AtaArg;
import dev.aoe.frame.ConfigArg.Ccmd;
import dev.aoe.frame.ConfigArg;
import dev.aoe.frame.FrameCodec;
import dev.aoe.frame.MacMaskArg;
import dev.aoe.frame.MaskDirective.Dcmd;
import dev.aoe.frame.MaskDirective;
import dev.aoe.frame.Octets;
import dev.aoe.frame.RawArg;
import dev.aoe.frame.ReserveReleaseArg.Rcmd;
import dev.aoe.frame.ReserveReleaseArg;
import dev.aoe.link.pcap.PcapLink;
import dev.aoe.testing.NetworkNamespace;
import dev.aoe.testing.Prerequisites;
import dev.aoe.testing.TargetProcess;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The same requests to Debian's vblade (e1.1) and to ./aoe target (e2.1), both serving copies of one
 * image on the same interface of a test namespace. Where AoEr11 allows one answer the two must agree;
 * where we differ on purpose, the assertion names the difference.
 */
class VbladeDifferentialIT {

    private static final int VBLADE = 1;
    private static final int OURS = 2;
    private static final int SECTORS = 16384;

    @TempDir
    Path dir;

    private PcapLink link;
    private MacAddress targetMac;
    private final BlockingQueue<byte[]> replies = new LinkedBlockingQueue<>();
    private final AtomicInteger tags = new AtomicInteger(0x1000);

    private record Reply(AoeFrame frame, int length) {
        AoeHeader header() {
            return frame.header();
        }

        Arg arg() {
            return frame.arg();
        }

        AtaArg ata() {
            return (AtaArg) frame.arg();
        }
    }

    @ParameterizedTest(name = "MTU {0}")
    @ValueSource(ints = {1500, 9000})
    void vbladeAndAoeTargetAnswerAlike(int mtu) throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireLibpcap();
        String vblade = Prerequisites.requireCommand("vblade", "vblade").toString();
        byte[] image = new byte[SECTORS * 512];
        new Random(mtu).nextBytes(image);
        Path vbladeImage = Files.write(dir.resolve("vblade.img"), image);
        Path ourImage = Files.write(dir.resolve("ours.img"), image);
        try (NetworkNamespace ns = NetworkNamespace.create(mtu)) {
            Process vb = new ProcessBuilder(ns.exec(vblade, "-b", "64", "1", "1", ns.inside(), vbladeImage.toString()))
                    .redirectErrorStream(true).start();
            try (TargetProcess ours = TargetProcess.start(ns, 1, "2", "1", ns.inside(), ourImage.toString());
                 PcapLink l = PcapLink.open(ns.outside())) {
                String ready = new BufferedReader(new InputStreamReader(vb.getInputStream())).readLine();
                assertThat(ready).as("vblade's start line").contains("e1.1");
                link = l;
                link.start(frame -> replies.add(ByteBufUtil.getBytes(frame)));
                targetMac = discoverMac();
                compare(mtu, image);
            } finally {
                vb.toHandle().destroy();
                vb.waitFor(10, TimeUnit.SECONDS);
            }
        }
        assertThat(Files.readAllBytes(ourImage)).as("both images saw the same writes")
                .isEqualTo(Files.readAllBytes(vbladeImage));
    }

    private MacAddress discoverMac() throws Exception {
        Reply r = call(OURS, 1, AoeCommand.QUERY_CONFIG, ConfigArg.read(), MacAddress.BROADCAST);
        return r.frame().source();
    }

    private void compare(int mtu, byte[] image) throws Exception {
        int sectors = (mtu - 36) / 512;

        // Query Config: same subcommand, sector count and (with -b 64) buffer count; firmware differs by nature
        Reply[] cfg = both(AoeCommand.QUERY_CONFIG, ConfigArg.read());
        ConfigArg vc = (ConfigArg) cfg[0].arg();
        ConfigArg oc = (ConfigArg) cfg[1].arg();
        assertThat(oc.sectorCount()).isEqualTo(vc.sectorCount()).isEqualTo(sectors);
        assertThat(oc.bufferCount()).isEqualTo(vc.bufferCount()).isEqualTo(64);
        assertThat(oc.ccmd()).isEqualTo(vc.ccmd());
        assertThat(oc.aoeVersion()).isEqualTo(vc.aoeVersion()).isEqualTo(1);
        assertThat(cfg[1].header().minor()).isEqualTo(cfg[0].header().minor());
        // Difference: padding. vblade sends its 32-byte config reply unpadded; we pad to Ethernet's 60.
        assertThat(cfg[0].length()).isEqualTo(32);
        assertThat(cfg[1].length()).isEqualTo(60);

        // IDENTIFY: same capacity and LBA48; we also advertise FLUSH CACHE EXT (word 83 bit 13), vblade does not
        Reply[] id = both(AoeCommand.ATA, AtaArg.command(AtaCommands.IDENTIFY_DEVICE, false, 0xA0000000L, 1));
        IdentifyData vid = IdentifyData.parse(id[0].ata().data().toByteArray());
        IdentifyData oid = IdentifyData.parse(id[1].ata().data().toByteArray());
        assertThat(oid.capacitySectors()).isEqualTo(vid.capacitySectors()).isEqualTo(SECTORS);
        assertThat(oid.lba48()).isEqualTo(vid.lba48()).isTrue();
        assertThat(oid.flushCache()).isEqualTo(vid.flushCache()).isTrue();
        assertThat(vid.flushCacheExt()).isFalse();
        assertThat(oid.flushCacheExt()).isTrue();
        sameAta(id);

        // Reads: LBA48, LBA28 with device bits, at the end of the disk
        sameAta(both(AoeCommand.ATA, AtaArg.command(0x24, true, 100, sectors)));
        Reply[] lba28 = both(AoeCommand.ATA, AtaArg.command(0x20, false, 0xE0000000L | 7, 1));
        sameAta(lba28);
        assertThat(lba28[1].ata().data().toByteArray()).isEqualTo(Arrays.copyOfRange(image, 7 * 512, 8 * 512));
        sameAta(both(AoeCommand.ATA, AtaArg.command(0x24, true, SECTORS - sectors, sectors)));

        // Writes, then read back
        byte[] data = new byte[sectors * 512];
        new Random(7).nextBytes(data);
        sameAta(both(AoeCommand.ATA, AtaArg.write(0x34, true, false, 4096, Octets.copyOf(data))));
        Reply[] back = both(AoeCommand.ATA, AtaArg.command(0x24, true, 4096, sectors));
        sameAta(back);
        assertThat(back[1].ata().data().toByteArray()).isEqualTo(data);

        // Errors in the ATA registers: out of range, straddling the end, unsupported opcode
        sameAta(both(AoeCommand.ATA, AtaArg.command(0x24, true, SECTORS, 1)));
        sameAta(both(AoeCommand.ATA, AtaArg.command(0x24, true, SECTORS - 1, 2)));
        sameAta(both(AoeCommand.ATA, AtaArg.command(AtaCommands.SMART, false, 0, 0)));
        sameAta(both(AoeCommand.ATA, AtaArg.command(AtaCommands.CHECK_POWER_MODE, false, 0, 0)));
        // Difference: FLUSH CACHE. vblade does nothing and answers status 0x00; we fsync and answer DRDY (0x40).
        // Both are success to Linux, which fails an I/O only on status & 0xA9.
        Reply[] flush = both(AoeCommand.ATA, AtaArg.command(AtaCommands.FLUSH_CACHE, false, 0, 0));
        sameHeader(flush);
        assertThat(flush[0].ata().cmdStatus() & AtaCommands.STATUS_FAILURE_MASK).isZero();
        assertThat(flush[1].ata().cmdStatus()).isEqualTo(AtaCommands.STATUS_DRDY);
        // AoE error 2 for more sectors than advertised
        sameHeader(both(AoeCommand.ATA, AtaArg.command(0x24, true, 0, sectors + 1)));

        // Difference: FLUSH CACHE EXT. vblade aborts it; we flush to stable storage and succeed.
        Reply[] flushExt = both(AoeCommand.ATA, AtaArg.command(AtaCommands.FLUSH_CACHE_EXT, true, 0, 0));
        assertThat(flushExt[0].ata().cmdStatus()).isEqualTo(0x41);
        assertThat(flushExt[0].ata().errFeature()).isEqualTo(AtaCommands.ERROR_ABRT);
        assertThat(flushExt[1].ata().cmdStatus()).isEqualTo(0x40);

        // Config string: set, test, prefix, conflicting set (error 4 with the current string), force set
        sameConfig(both(AoeCommand.QUERY_CONFIG, ConfigArg.request(Ccmd.SET, Octets.ascii("owner=ci"))));
        sameConfig(both(AoeCommand.QUERY_CONFIG, ConfigArg.request(Ccmd.TEST, Octets.ascii("owner=ci"))));
        sameConfig(both(AoeCommand.QUERY_CONFIG, ConfigArg.request(Ccmd.TEST_PREFIX, Octets.ascii("own"))));
        bothSilent(AoeCommand.QUERY_CONFIG, ConfigArg.request(Ccmd.TEST, Octets.ascii("owner")));
        bothSilent(AoeCommand.QUERY_CONFIG, ConfigArg.request(Ccmd.TEST_PREFIX, Octets.ascii("owner=cix")));
        Reply[] clash = both(AoeCommand.QUERY_CONFIG, ConfigArg.request(Ccmd.SET, Octets.ascii("other")));
        sameConfig(clash);
        assertThat(clash[1].header().errorCode()).isEqualTo(AoeError.CONFIG_STRING_PRESENT.code());
        sameConfig(both(AoeCommand.QUERY_CONFIG, ConfigArg.request(Ccmd.FORCE_SET, Octets.ascii("other"))));
        sameHeader(both(AoeCommand.QUERY_CONFIG, new ConfigArg(0, 0, 0, 1, 9, Octets.EMPTY)));

        // MAC mask list: add ourselves and another, a bad directive (merror 2 at index 0), read.
        // Deletes are checked against ours only: vblade's rmmask steps through entries as if they were
        // bytes, so it misses most entries and crashes (memmove with a negative length) on the rest.
        MacAddress me = link.mac();
        MacAddress other = MacAddress.parse("02:00:00:00:00:77");
        sameArg(both(AoeCommand.MAC_MASK_LIST, MacMaskArg.read()));
        sameArg(both(AoeCommand.MAC_MASK_LIST, MacMaskArg.edit(List.of(MaskDirective.of(Dcmd.ADD, me),
                MaskDirective.of(Dcmd.ADD, other)))));
        Reply[] bad = both(AoeCommand.MAC_MASK_LIST, MacMaskArg.edit(List.of(new MaskDirective(9, other))));
        sameArg(bad);
        assertThat(((MacMaskArg) bad[1].arg()).merror()).isEqualTo(MacMaskArg.Merror.BAD_DIRECTIVE.code());
        sameArg(both(AoeCommand.MAC_MASK_LIST, MacMaskArg.read()));
        Reply deleted = call(OURS, 1, AoeCommand.MAC_MASK_LIST,
                MacMaskArg.edit(List.of(MaskDirective.of(Dcmd.DELETE, other), MaskDirective.of(Dcmd.DELETE, me))), targetMac);
        assertThat(((MacMaskArg) deleted.arg()).directives()).isEmpty();

        // Reserve/release: reserve for someone else, then our reads are refused (error 6), then force-release
        sameArg(both(AoeCommand.RESERVE_RELEASE, ReserveReleaseArg.of(Rcmd.SET, List.of(other))));
        sameHeader(both(AoeCommand.ATA, AtaArg.command(0x24, true, 0, 1)));
        sameArg(both(AoeCommand.RESERVE_RELEASE, ReserveReleaseArg.of(Rcmd.SET, List.of(me))));
        sameArg(both(AoeCommand.RESERVE_RELEASE, ReserveReleaseArg.of(Rcmd.FORCE_SET, List.of())));
        sameArg(both(AoeCommand.RESERVE_RELEASE, ReserveReleaseArg.of(Rcmd.READ, List.of())));

        // Unknown command: error 1 from both
        Reply[] unknown = both(AoeCommand.ATA, null);
        sameHeader(unknown);

        // Difference: a write to the broadcast slot. vblade writes it; we refuse with error 2.
        byte[] zeros = new byte[512];
        Reply vb = call(VBLADE, 0xFF, AoeCommand.ATA, AtaArg.write(0x34, true, false, 8000, Octets.copyOf(zeros)), targetMac);
        Reply ours = call(OURS, 0xFF, AoeCommand.ATA, AtaArg.write(0x34, true, false, 8000, Octets.copyOf(zeros)), targetMac);
        assertThat(vb.header().errorFlag()).isFalse();
        assertThat(ours.header().errorCode()).isEqualTo(AoeError.BAD_ARGUMENT.code());
        // keep the images equal for the final comparison: write the same sector to ours directly
        call(OURS, 1, AoeCommand.ATA, AtaArg.write(0x34, true, false, 8000, Octets.copyOf(zeros)), targetMac);

        // Difference: version. vblade ignores it; we answer a version-2 request with error 5.
        Reply vbV2 = callRaw(new AoeHeader(2, false, false, 0, VBLADE, 1, 1, tags.incrementAndGet()), ConfigArg.read());
        Reply ourV2 = callRaw(new AoeHeader(2, false, false, 0, OURS, 1, 1, tags.incrementAndGet()), ConfigArg.read());
        assertThat(vbV2.header().errorFlag()).isFalse();
        assertThat(ourV2.header().errorCode()).isEqualTo(AoeError.UNSUPPORTED_VERSION.code());
    }

    /** The same request to both targets; an {@code arg} of null sends the unassigned command 0x42. */
    private Reply[] both(AoeCommand command, Arg arg) throws Exception {
        if (arg == null) {
            Reply v = callRaw(new AoeHeader(1, false, false, 0, VBLADE, 1, 0x42, tags.incrementAndGet()),
                    new RawArg(Octets.copyOf(new byte[36])));
            Reply o = callRaw(new AoeHeader(1, false, false, 0, OURS, 1, 0x42, tags.incrementAndGet()),
                    new RawArg(Octets.copyOf(new byte[36])));
            return new Reply[] {v, o};
        }
        return new Reply[] {call(VBLADE, 1, command, arg, targetMac), call(OURS, 1, command, arg, targetMac)};
    }

    private Reply call(int major, int minor, AoeCommand command, Arg arg, MacAddress to) throws Exception {
        return callRaw(to, AoeHeader.request(major, minor, command, tags.incrementAndGet()), arg);
    }

    private Reply callRaw(AoeHeader header, Arg arg) throws Exception {
        return callRaw(targetMac, header, arg);
    }

    private Reply callRaw(MacAddress to, AoeHeader header, Arg arg) throws Exception {
        link.send(FrameCodec.encode(new AoeFrame(to, link.mac(), header, arg), link.alloc()));
        while (true) {
            byte[] raw = replies.poll(10, TimeUnit.SECONDS);
            assertThat(raw).as("reply from e%d.%d to %s", header.major(), header.minor(), arg).isNotNull();
            AoeFrame frame = FrameCodec.decode(Unpooled.wrappedBuffer(raw));
            if (frame.header().tag() == header.tag()) {
                return new Reply(frame, raw.length);
            }
            // announcements and other traffic are skipped
        }
    }

    /** Neither target answers; proven by a config read to each that is answered first. */
    private void bothSilent(AoeCommand command, Arg arg) throws Exception {
        for (int major : new int[] {VBLADE, OURS}) {
            int tag = tags.incrementAndGet();
            link.send(FrameCodec.encode(new AoeFrame(targetMac, link.mac(), AoeHeader.request(major, 1, command, tag), arg),
                    link.alloc()));
            Reply probe = call(major, 1, AoeCommand.QUERY_CONFIG, ConfigArg.read(), targetMac);
            assertThat(probe.header().errorFlag()).isFalse();
            assertThat(replies).noneMatch(r -> FrameCodec.decode(Unpooled.wrappedBuffer(r)).header().tag() == tag);
        }
    }

    private static void sameHeader(Reply[] r) {
        assertThat(r[1].header().response()).isTrue();
        assertThat(r[1].header().errorFlag()).as("E flag").isEqualTo(r[0].header().errorFlag());
        assertThat(r[1].header().errorCode()).as("error").isEqualTo(r[0].header().errorCode());
        assertThat(r[1].header().command()).isEqualTo(r[0].header().command());
        assertThat(r[1].header().minor()).isEqualTo(r[0].header().minor());
    }

    private static void sameAta(Reply[] r) {
        sameHeader(r);
        AtaArg v = r[0].ata();
        AtaArg o = r[1].ata();
        assertThat(o.cmdStatus()).as("status").isEqualTo(v.cmdStatus());
        assertThat(o.errFeature()).as("error register").isEqualTo(v.errFeature());
        assertThat(o.lba()).as("lba").isEqualTo(v.lba());
        if (v.cmdStatus() == 0x40 && v.data().length() > 0 && v.data().length() != IdentifyData.LENGTH) {
            assertThat(o.data()).as("data").isEqualTo(v.data());
        }
    }

    private static void sameConfig(Reply[] r) {
        sameHeader(r);
        ConfigArg v = (ConfigArg) r[0].arg();
        ConfigArg o = (ConfigArg) r[1].arg();
        assertThat(o.config()).as("config string").isEqualTo(v.config());
        assertThat(o.ccmd()).isEqualTo(v.ccmd());
    }

    private static void sameArg(Reply[] r) {
        sameHeader(r);
        assertThat(r[1].arg()).isEqualTo(r[0].arg());
    }

}
