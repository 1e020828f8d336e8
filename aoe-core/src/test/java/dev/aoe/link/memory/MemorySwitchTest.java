package dev.aoe.link.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aoe.ethernet.MacAddress;
import dev.aoe.link.LinkException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MemorySwitchTest {

    private final MemorySwitch network = new MemorySwitch(42);

    @AfterEach
    void close() {
        network.close();
    }

    /** A port that queues the sequence numbers (byte 14..17) of what it receives. */
    private record Port(MemoryLink link, BlockingQueue<Integer> received) {
        Integer next() throws InterruptedException {
            return received.poll(5, TimeUnit.SECONDS);
        }
    }

    private Port port(String name) {
        MemoryLink link = network.connect(name);
        BlockingQueue<Integer> q = new LinkedBlockingQueue<>();
        link.start(frame -> q.add(frame.getInt(frame.readerIndex() + 14)));
        return new Port(link, q);
    }

    private static ByteBuf frame(MacAddress to, MacAddress from, int sequence, int length) {
        ByteBuf b = Unpooled.buffer(length);
        to.writeTo(b);
        from.writeTo(b);
        b.writeShort(0x88A2).writeInt(sequence);
        b.writeZero(length - b.writerIndex());
        return b;
    }

    @Test
    void unicastReachesOnlyTheAddressedPort() throws InterruptedException {
        Port a = port("a");
        Port b = port("b");
        Port c = port("c");
        a.link().send(frame(b.link().mac(), a.link().mac(), 1, 60));
        a.link().send(frame(MacAddress.parse("02:99:99:99:99:99"), a.link().mac(), 2, 60));   // nobody: dropped
        a.link().send(frame(c.link().mac(), a.link().mac(), 3, 60));
        assertThat(b.next()).isEqualTo(1);
        assertThat(c.next()).isEqualTo(3);
        a.link().send(frame(b.link().mac(), a.link().mac(), 4, 60));
        assertThat(b.next()).isEqualTo(4);
        assertThat(c.received()).isEmpty();
        assertThat(a.received()).isEmpty();
    }

    @Test
    void broadcastReachesEveryOtherPort() throws InterruptedException {
        Port a = port("a");
        Port b = port("b");
        Port c = port("c");
        a.link().send(frame(MacAddress.BROADCAST, a.link().mac(), 7, 60));
        assertThat(b.next()).isEqualTo(7);
        assertThat(c.next()).isEqualTo(7);
        b.link().send(frame(a.link().mac(), b.link().mac(), 8, 60));
        assertThat(a.next()).isEqualTo(8);   // and not 7: the sender never hears itself
    }

    @Test
    void framesLargerThanTheMtuAreDropped() throws InterruptedException {
        Port a = port("a");
        MemoryLink jumbo = network.connect("j", MacAddress.parse("02:00:00:00:01:00"), 9000);
        BlockingQueue<Integer> q = new LinkedBlockingQueue<>();
        jumbo.start(f -> q.add(f.readableBytes()));
        jumbo.send(frame(a.link().mac(), jumbo.mac(), 1, 9014));
        a.link().send(frame(jumbo.mac(), a.link().mac(), 2, 1515));
        a.link().send(frame(jumbo.mac(), a.link().mac(), 3, 1514));
        assertThat(q.poll(5, TimeUnit.SECONDS)).isEqualTo(1514);
        assertThat(jumbo.droppedFrames()).isEqualTo(1);
        assertThat(a.link().droppedFrames()).isEqualTo(1);
    }

    @Test
    void dropIfDropsExactlyTheChosenFrames() throws InterruptedException {
        Port a = port("a");
        Port b = port("b");
        a.link().faults(Faults.NONE.withDropIf(f -> f.getInt(f.readerIndex() + 14) % 2 == 0));
        for (int i = 0; i < 10; i++) {
            a.link().send(frame(b.link().mac(), a.link().mac(), i, 60));
        }
        List<Integer> got = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            got.add(b.next());
        }
        assertThat(got).containsExactly(1, 3, 5, 7, 9);
        assertThat(a.link().droppedFrames()).isEqualTo(5);
    }

    @Test
    void randomFaultsFollowTheirRatesAndTheSeed() throws InterruptedException {
        Port a = port("a");
        Port b = port("b");
        a.link().faults(Faults.NONE.withDropRate(0.2).withDuplicateRate(0.1).withReorderRate(0.1));
        int sent = 2000;
        for (int i = 0; i < sent; i++) {
            a.link().send(frame(b.link().mac(), a.link().mac(), i, 60));
        }
        long distinct = sent - a.link().droppedFrames();
        long copies = distinct + a.link().duplicatedFrames();
        assertThat(a.link().droppedFrames()).isBetween(300L, 500L);
        assertThat(a.link().duplicatedFrames()).isBetween(100L, 250L);
        List<Integer> got = new ArrayList<>();
        for (int i = 0; i < copies; i++) {
            got.add(b.next());
        }
        assertThat(got).doesNotContainNull();
        assertThat(got.stream().distinct().count()).isEqualTo(distinct);
        int inversions = 0;
        for (int i = 1; i < got.size(); i++) {
            if (got.get(i) < got.get(i - 1)) {
                inversions++;
            }
        }
        assertThat(inversions).isGreaterThan(50);
    }

    @Test
    void delayHoldsFramesBack() throws InterruptedException {
        Port a = port("a");
        Port b = port("b");
        a.link().faults(Faults.NONE.withDelay(Duration.ofMillis(100)));
        long start = System.nanoTime();
        a.link().send(frame(b.link().mac(), a.link().mac(), 1, 60));
        assertThat(b.next()).isEqualTo(1);
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
    }

    @Test
    void closedPortRefusesToSendAndReleasesTheFrame() {
        Port a = port("a");
        a.link().close();
        ByteBuf f = frame(MacAddress.BROADCAST, a.link().mac(), 1, 60);
        assertThatThrownBy(() -> a.link().send(f)).isInstanceOf(LinkException.class).hasMessageContaining("closed");
        assertThat(f.refCnt()).isZero();
    }

    @Test
    void rejectsDuplicateMacsAndBadRates() {
        network.connect("x", MacAddress.parse("02:00:00:00:00:aa"), 1500);
        assertThatThrownBy(() -> network.connect("y", MacAddress.parse("02:00:00:00:00:aa"), 1500))
                .hasMessageContaining("already connected");
        assertThatThrownBy(() -> Faults.NONE.withDropRate(1.5)).hasMessageContaining("outside 0..1");
    }
}
