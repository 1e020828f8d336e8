package dev.aoe.frame;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.aoe.ethernet.MacAddress;
import dev.aoe.frame.ConfigArg.Ccmd;
import dev.aoe.frame.MaskDirective.Dcmd;
import dev.aoe.frame.ReserveReleaseArg.Rcmd;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded randomized tests (no jqwik): random valid frames round-trip, and random truncations and
 * byte mutations of them either decode (and then re-encode to a frame that decodes the same) or
 * raise {@link MalformedFrameException}; nothing else. A failing seed replays exactly.
 */
class FrameFuzzTest {

    private static final int CASES_PER_SEED = 1500;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 0xA0E, 20261125})
    void randomValidFramesRoundTrip(long seed) {
        Random random = new Random(seed);
        for (int i = 0; i < CASES_PER_SEED; i++) {
            AoeFrame frame = randomFrame(random);
            byte[] wire = encode(frame);
            AoeFrame decoded = FrameCodec.decode(Unpooled.wrappedBuffer(wire));
            assertFlyweightsAgree(wire, decoded);
            if (frame.arg() instanceof RawArg) {
                // a raw argument has no length field: it comes back with the Ethernet padding
                assertThat(encode(decoded)).as("seed %d case %d", seed, i).isEqualTo(wire);
            } else {
                assertThat(decoded).as("seed %d case %d: %s", seed, i, frame).isEqualTo(frame);
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12, 13, 0xBAD, 20261126})
    void truncatedAndMutatedFramesDecodeOrFailWithTheTypedException(long seed) {
        Random random = new Random(seed);
        for (int i = 0; i < CASES_PER_SEED; i++) {
            byte[] wire = encode(randomFrame(random));
            byte[] damaged = random.nextBoolean()
                    ? Arrays.copyOf(wire, random.nextInt(wire.length + 1))
                    : mutate(wire, random);
            try {
                AoeFrame decoded = FrameCodec.decode(Unpooled.wrappedBuffer(damaged));
                assertFlyweightsAgree(damaged, decoded);
                AoeFrame again = FrameCodec.decode(Unpooled.wrappedBuffer(encode(decoded)));
                if (!(decoded.arg() instanceof RawArg)) {
                    assertThat(again).as("seed %d case %d", seed, i).isEqualTo(decoded);
                }
            } catch (MalformedFrameException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            } catch (RuntimeException e) {
                fail("seed " + seed + " case " + i + ": " + e + " for " + ByteBufUtil.hexDump(damaged), e);
            }
        }
    }

    /** The flyweights read the same bytes as the record the codec decoded from them. */
    static void assertFlyweightsAgree(byte[] wire, AoeFrame f) {
        ByteBuf buf = Unpooled.wrappedBuffer(wire);
        HeaderFlyweight h = new HeaderFlyweight().wrap(buf);
        assertThat(new MacAddress(h.destination())).isEqualTo(f.destination());
        assertThat(new MacAddress(h.source())).isEqualTo(f.source());
        assertThat(new AoeHeader(h.version(), h.response(), h.error(), h.errorCode(), h.major(), h.minor(), h.command(),
                h.tag())).isEqualTo(f.header());
        Arg arg = f.arg();
        if (arg instanceof AtaArg a) {
            AtaFlyweight v = new AtaFlyweight().wrap(buf);
            assertThat(new int[] {v.aflags(), v.errFeature(), v.sectorCount(), v.cmdStatus()})
                    .containsExactly(a.aflags(), a.errFeature(), a.sectorCount(), a.cmdStatus());
            assertThat(v.lba()).isEqualTo(a.lba());
            assertThat(AtaFlyweight.effectiveLba(buf)).isEqualTo(a.effectiveLba());
        } else if (arg instanceof ConfigArg c) {
            ConfigFlyweight v = new ConfigFlyweight().wrap(buf);
            assertThat(new int[] {v.bufferCount(), v.firmwareVersion(), v.sectorCount(), v.aoeVersion(), v.ccmd(),
                v.configLength()}).containsExactly(c.bufferCount(), c.firmwareVersion(), c.sectorCount(),
                    c.aoeVersion(), c.ccmd(), c.config().length());
        } else if (arg instanceof MacMaskArg m) {
            MacMaskFlyweight v = new MacMaskFlyweight().wrap(buf);
            assertThat(new int[] {v.mcmd(), v.merror(), v.dirCount()}).containsExactly(m.mcmd(), m.merror(),
                    m.dirCount());
            for (int i = 0; i < m.directives().size(); i++) {
                assertThat(v.dcmd(i)).isEqualTo(m.directives().get(i).dcmd());
                assertThat(v.mac(i)).isEqualTo(m.directives().get(i).mac().value());
            }
        } else if (arg instanceof ReserveReleaseArg r) {
            ReserveReleaseFlyweight v = new ReserveReleaseFlyweight().wrap(buf);
            assertThat(v.rcmd()).isEqualTo(r.rcmd());
            assertThat(v.nmacs()).isEqualTo(r.macs().size());
            for (int i = 0; i < r.macs().size(); i++) {
                assertThat(v.mac(i)).isEqualTo(r.macs().get(i).value());
            }
        } else {
            assertThat(wire.length - HeaderFlyweight.ARG_OFFSET).isEqualTo(((RawArg) arg).bytes().length());
        }
    }

    private static byte[] mutate(byte[] wire, Random random) {
        byte[] b = wire.clone();
        int mutations = 1 + random.nextInt(4);
        for (int m = 0; m < mutations; m++) {
            // bias towards the headers, where counts and lengths live
            int index = random.nextInt(4) == 0 ? random.nextInt(b.length) : 12 + random.nextInt(Math.min(24, b.length - 12));
            b[index] = (byte) random.nextInt(256);
        }
        return b;
    }

    static byte[] encode(AoeFrame frame) {
        ByteBuf buf = Unpooled.buffer();
        FrameCodec.encode(frame, buf);
        byte[] b = ByteBufUtil.getBytes(buf);
        buf.release();
        return b;
    }

    static AoeFrame randomFrame(Random r) {
        boolean response = r.nextBoolean();
        int command = switch (r.nextInt(10)) {
            case 0, 1, 2, 3 -> 0;
            case 4, 5 -> 1;
            case 6 -> 2;
            case 7 -> 3;
            case 8 -> 0xF0 + r.nextInt(16);
            default -> 4 + r.nextInt(0xEC);
        };
        boolean error = response && r.nextInt(8) == 0;
        AoeHeader header = new AoeHeader(1, response, error, error ? r.nextInt(256) : 0,
                r.nextInt(0x10000), r.nextInt(0x100), command, r.nextInt());
        MacAddress a = new MacAddress(r.nextLong() & 0xFEFF_FFFF_FFFFL);
        MacAddress b = r.nextInt(4) == 0 ? MacAddress.BROADCAST : new MacAddress(r.nextLong() & 0xFEFF_FFFF_FFFFL);
        return new AoeFrame(b, a, header, randomArg(r, command, response));
    }

    private static Arg randomArg(Random r, int command, boolean response) {
        switch (command) {
            case 0: {
                int flags = r.nextInt(256);
                int sectors = r.nextInt(18);
                boolean write = (flags & AtaFlyweight.FLAG_WRITE) != 0;
                int dataSectors = write ? (response ? 0 : sectors) : (response ? r.nextInt(18) : 0);
                return new AtaArg(flags, r.nextInt(256), sectors, r.nextInt(256), r.nextLong() & AtaFlyweight.MAX_LBA48,
                        randomOctets(r, dataSectors * AtaFlyweight.SECTOR_SIZE));
            }
            case 1:
                return new ConfigArg(r.nextInt(0x10000), r.nextInt(0x10000), r.nextInt(256), r.nextInt(16),
                        r.nextInt(6) == 5 ? 5 + r.nextInt(11) : Ccmd.values()[r.nextInt(5)].code(),
                        randomOctets(r, r.nextInt(4) == 0 ? ConfigFlyweight.MAX_CONFIG_LENGTH : r.nextInt(64)));
            case 2: {
                List<MaskDirective> directives = new ArrayList<>();
                int n = r.nextInt(8);
                for (int i = 0; i < n; i++) {
                    directives.add(new MaskDirective(Dcmd.values()[r.nextInt(3)].code(), new MacAddress(r.nextLong() & 0xFFFF_FFFF_FFFFL)));
                }
                if (response && r.nextInt(4) == 0) {
                    return new MacMaskArg(1, 1 + r.nextInt(3), r.nextInt(256), List.of());
                }
                return new MacMaskArg(r.nextInt(2), 0, n, directives);
            }
            case 3: {
                List<MacAddress> macs = new ArrayList<>();
                int n = r.nextInt(10);
                for (int i = 0; i < n; i++) {
                    macs.add(new MacAddress(r.nextLong() & 0xFFFF_FFFF_FFFFL));
                }
                return ReserveReleaseArg.of(Rcmd.values()[r.nextInt(3)], macs);
            }
            default:
                return new RawArg(randomOctets(r, 36 + r.nextInt(100)));
        }
    }

    private static Octets randomOctets(Random r, int length) {
        byte[] b = new byte[length];
        r.nextBytes(b);
        return Octets.copyOf(b);
    }
}
