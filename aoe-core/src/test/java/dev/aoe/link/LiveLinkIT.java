package dev.aoe.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.aoe.ethernet.MacAddress;
import dev.aoe.frame.AoeCommand;
import dev.aoe.frame.AoeFrame;
import dev.aoe.frame.AoeHeader;
import dev.aoe.frame.AtaArg;
import dev.aoe.frame.AtaFlyweight;
import dev.aoe.frame.FrameCodec;
import dev.aoe.frame.Octets;
import dev.aoe.link.afpacket.AfPacketLink;
import dev.aoe.link.afpacket.RingVersion;
import dev.aoe.link.spec.LinkKind;
import dev.aoe.testing.NetworkNamespace;
import dev.aoe.testing.Prerequisites;
import io.netty.buffer.ByteBuf;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each live link (pcap4j, AF_PACKET with either ring) on a real veth pair, talking to a peer process
 * in a namespace the test creates that uses the same kind of link.
 */
class LiveLinkIT {

    private static final int FRAMES = 300;

    static Stream<Arguments> linksAndMtus() {
        return Stream.of(LinkKind.values()).flatMap(k -> Stream.of(Arguments.of(k, 1500), Arguments.of(k, 9000)));
    }

    private static void require(LinkKind kind) {
        Prerequisites.requireRoot();
        if (kind == LinkKind.PCAP) {
            Prerequisites.requireLibpcap();
        }
    }

    @ParameterizedTest(name = "{0}, MTU {1}")
    @MethodSource("linksAndMtus")
    void exchangesFramesOfEverySizeAcrossAVethPair(LinkKind kind, int mtu) throws Exception {
        require(kind);
        try (NetworkNamespace ns = NetworkNamespace.create(mtu)) {
            Process peer = new ProcessBuilder(ns.exec(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), EchoPeer.class.getName(), kind.toString(), ns.inside()))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader peerOut = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8));
            String ready = peerOut.readLine();
            assertThat(ready).as("peer's first line").startsWith("READY ").endsWith(" " + mtu);
            MacAddress peerMac = MacAddress.parse(ready.split(" ")[1]);

            BlockingQueue<AoeFrame> received = new LinkedBlockingQueue<>();
            try (FrameLink link = kind.open(ns.outside())) {
                assertThat(link.mtu()).isEqualTo(mtu);
                assertThat(link.mac()).isEqualTo(InterfaceInfo.of(ns.outside()).mac());
                link.start(frame -> received.add(FrameCodec.decode(frame)));

                int maxSectors = AtaFlyweight.sectorsPerFrame(mtu);
                Random random = new Random(mtu);
                Set<Integer> sentTags = new HashSet<>();
                for (int i = 0; i < FRAMES; i++) {
                    int sectors = i % 3 == 0 ? 0 : random.nextInt(maxSectors + 1);
                    byte[] data = new byte[sectors * AtaFlyweight.SECTOR_SIZE];
                    random.nextBytes(data);
                    int tag = 0x8000_0000 | i;
                    AoeFrame request = new AoeFrame(peerMac, link.mac(), AoeHeader.request(0, 1, AoeCommand.ATA, tag),
                            sectors == 0 ? AtaArg.command(0xEC, false, 0, 1)
                                    : AtaArg.write(0x34, true, false, i, Octets.copyOf(data)));
                    sentTags.add(tag);
                    link.send(FrameCodec.encode(request, link.alloc()));
                    AoeFrame reply = received.poll(10, TimeUnit.SECONDS);
                    assertThat(reply).as("reply to frame %d", i).isNotNull();
                    assertThat(reply.header().response()).as("we never hear our own frames").isTrue();
                    assertThat(reply.header().tag()).isEqualTo(tag);
                    assertThat(reply.source()).isEqualTo(peerMac);
                    assertThat(reply.destination()).isEqualTo(link.mac());
                    // the echo keeps the W flag, so a write "response" decodes without data: check the size instead
                    assertThat(reply.arg()).isInstanceOf(AtaArg.class);
                }
                assertThat(sentTags).hasSize(FRAMES);
                assertThat(received).isEmpty();
            }
            peer.getOutputStream().close();
            assertThat(peer.waitFor(20, TimeUnit.SECONDS)).as("peer exits when its stdin closes").isTrue();
            assertThat(peer.exitValue()).isZero();
            assertThat(peerOut.readLine()).isEqualTo("CLOSED echoed=" + FRAMES);
        }
    }

    @org.junit.jupiter.api.Test
    void aGroupOfLinksSharesAnInterfaceByClientKeepingEachClientsOrder() throws Exception {
        require(LinkKind.AFPACKET);
        int clients = 8;
        int perClient = 50;
        try (NetworkNamespace ns = NetworkNamespace.create(1500)) {
            List<AfPacketLink> group = AfPacketLink.openGroup(ns.outside(), RingVersion.V2, 0, 2);
            CountDownLatch all = new CountDownLatch(clients * perClient);
            List<Map<Integer, List<Integer>>> seen = List.of(new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
            try {
                for (int i = 0; i < group.size(); i++) {
                    Map<Integer, List<Integer>> mine = seen.get(i);
                    group.get(i).start(frame -> {
                        AoeFrame f = FrameCodec.decode(frame);
                        int client = f.header().tag() >>> 16;
                        if (f.source().equals(SprayPeer.client(client))) {
                            mine.computeIfAbsent(client, k -> new CopyOnWriteArrayList<>()).add(f.header().tag() & 0xFFFF);
                            all.countDown();
                        }
                    });
                }
                Process peer = new ProcessBuilder(ns.exec(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp", System.getProperty("java.class.path"), SprayPeer.class.getName(), "afpacket", ns.inside(),
                        Integer.toString(clients), Integer.toString(perClient)))
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                assertThat(peer.waitFor(30, TimeUnit.SECONDS)).as("sender finishes").isTrue();
                assertThat(all.await(10, TimeUnit.SECONDS)).as("every frame received, %d missing", all.getCount()).isTrue();
            } finally {
                group.forEach(AfPacketLink::close);
            }
            List<Integer> inOrder = IntStream.range(0, perClient).boxed().toList();
            for (int client = 1; client <= clients; client++) {
                int c = client;
                assertThat(seen).as("client %d reaches exactly one link", c).filteredOn(m -> m.containsKey(c)).hasSize(1);
                assertThat(seen.get(seen.get(0).containsKey(c) ? 0 : 1).get(c)).as("client %d in order", c)
                        .isEqualTo(inOrder);
            }
            assertThat(seen).as("both links serve clients").allMatch(m -> m.size() == clients / 2);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(LinkKind.class)
    void closeStopsTheReceiveThreadPromptly(LinkKind kind) throws Exception {
        require(kind);
        try (NetworkNamespace ns = NetworkNamespace.create(1500)) {
            FrameLink link = kind.open(ns.outside());
            link.start(frame -> { });
            // AF_PACKET wakes its receive thread through an eventfd rather than waiting out its 1 s poll
            Duration limit = kind == LinkKind.PCAP ? Duration.ofSeconds(5) : Duration.ofMillis(500);
            assertTimeoutPreemptively(limit, link::close);
            assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().endsWith("-" + ns.outside()));
            link.close();   // idempotent
            ByteBuf frame = link.alloc().buffer(60).writeZero(60);
            assertThatThrownBy(() -> link.send(frame)).isInstanceOf(LinkException.class);
            assertThat(frame.refCnt()).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(LinkKind.class)
    void missingInterfaceIsAClearError(LinkKind kind) {
        assertThatThrownBy(() -> kind.open("aoetnothere0")).isInstanceOf(LinkException.class)
                .hasMessage("network interface 'aoetnothere0' not found (see 'ip link')");
    }

    @org.junit.jupiter.api.Test
    void unknownLinkKindIsAClearError() {
        assertThatThrownBy(() -> LinkKind.of("dpdk")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown link 'dpdk': expected one of pcap, afpacket, afpacket-v3");
    }
}
