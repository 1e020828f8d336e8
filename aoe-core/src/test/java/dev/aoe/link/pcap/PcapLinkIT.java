package dev.aoe.link.pcap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.aoe.frame.AoeCommand;
import dev.aoe.frame.AoeFrame;
import dev.aoe.frame.AoeHeader;
import dev.aoe.frame.AtaArg;
import dev.aoe.frame.FrameCodec;
import dev.aoe.frame.Octets;
import dev.aoe.link.InterfaceInfo;
import dev.aoe.link.LinkException;
import dev.aoe.link.MacAddress;
import dev.aoe.testing.NetworkNamespace;
import dev.aoe.testing.Prerequisites;
import io.netty.buffer.ByteBuf;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The pcap4j link on a real veth pair, talking to a peer process in a namespace the test creates. */
class PcapLinkIT {

    private static final int FRAMES = 300;

    @ParameterizedTest(name = "MTU {0}")
    @ValueSource(ints = {1500, 9000})
    void exchangesFramesOfEverySizeAcrossAVethPair(int mtu) throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireLibpcap();
        try (NetworkNamespace ns = NetworkNamespace.create(mtu)) {
            Process peer = new ProcessBuilder(ns.exec(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), PcapEchoPeer.class.getName(), ns.inside()))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader peerOut = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8));
            String ready = peerOut.readLine();
            assertThat(ready).as("peer's first line").startsWith("READY ").endsWith(" " + mtu);
            MacAddress peerMac = MacAddress.parse(ready.split(" ")[1]);

            BlockingQueue<AoeFrame> received = new LinkedBlockingQueue<>();
            try (PcapLink link = PcapLink.open(ns.outside())) {
                assertThat(link.mtu()).isEqualTo(mtu);
                assertThat(link.mac()).isEqualTo(InterfaceInfo.of(ns.outside()).mac());
                link.start(frame -> received.add(FrameCodec.decode(frame)));

                int maxSectors = (mtu - 22) / AtaArg.SECTOR_SIZE;
                Random random = new Random(mtu);
                Set<Integer> sentTags = new HashSet<>();
                for (int i = 0; i < FRAMES; i++) {
                    int sectors = i % 3 == 0 ? 0 : random.nextInt(maxSectors + 1);
                    byte[] data = new byte[sectors * AtaArg.SECTOR_SIZE];
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

    @Test
    void closeStopsTheReceiveThreadPromptly() throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireLibpcap();
        try (NetworkNamespace ns = NetworkNamespace.create(1500)) {
            PcapLink link = PcapLink.open(ns.outside());
            link.start(frame -> { });
            assertTimeoutPreemptively(Duration.ofSeconds(5), link::close);
            assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("pcap-" + ns.outside()));
            link.close();   // idempotent
            ByteBuf frame = link.alloc().buffer(60).writeZero(60);
            assertThatThrownBy(() -> link.send(frame)).isInstanceOf(LinkException.class);
            assertThat(frame.refCnt()).isZero();
        }
    }

    @Test
    void missingInterfaceIsAClearError() {
        assertThatThrownBy(() -> PcapLink.open("aoetnothere0")).isInstanceOf(LinkException.class)
                .hasMessage("network interface 'aoetnothere0' not found (see 'ip link')");
    }
}
