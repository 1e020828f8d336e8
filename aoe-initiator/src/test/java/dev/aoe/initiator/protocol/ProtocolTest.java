package dev.aoe.initiator.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aoe.link.FrameLink;
import io.netty.buffer.ByteBuf;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProtocolTest {

    @Test
    void tagsHaveBit31AndAreUniqueAmongOutstanding() {
        TagSpace tags = new TagSpace();
        Pending p = (int tag, FrameLink link, ByteBuf frame) -> { };
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            int tag = tags.register(p);
            assertThat(tag & TagSpace.USER_BIT).isNotZero();
            assertThat(seen.add(tag)).isTrue();
        }
        int some = seen.iterator().next();
        assertThat(tags.remove(some, p)).isTrue();
        assertThat(tags.remove(some, p)).as("a second answer finds nothing").isFalse();
        assertThat(tags.size()).isEqualTo(9_999);
    }

    @Test
    void rttEstimatorFollowsSamplesAndBacksOff() {
        RttEstimator rtt = new RttEstimator();
        assertThat(rtt.rtoNanos()).isEqualTo(RttEstimator.INITIAL_RTO_NANOS);
        for (int i = 0; i < 50; i++) {
            rtt.sample(TimeUnit.MILLISECONDS.toNanos(30));
        }
        assertThat(rtt.srttNanos()).isBetween(TimeUnit.MILLISECONDS.toNanos(29), TimeUnit.MILLISECONDS.toNanos(31));
        long rto = rtt.rtoNanos();
        assertThat(rto).isBetween(TimeUnit.MILLISECONDS.toNanos(60), TimeUnit.MILLISECONDS.toNanos(70));
        rtt.backOff();
        assertThat(rtt.rtoNanos()).isCloseTo(2 * rto, org.assertj.core.data.Offset.offset(2L));
        rtt.sample(TimeUnit.MILLISECONDS.toNanos(30));
        assertThat(rtt.rtoNanos()).isLessThan(2 * rto);
        RttEstimator fast = new RttEstimator();
        fast.sample(100_000);
        assertThat(fast.rtoNanos()).as("floor").isEqualTo(RttEstimator.MIN_RTO_NANOS);
        for (int i = 0; i < 20; i++) {
            fast.backOff();
        }
        assertThat(fast.rtoNanos()).as("ceiling").isEqualTo(RttEstimator.MAX_RTO_NANOS);
    }

    @Test
    void windowSlowStartsThenHalvesOnLoss() {
        CongestionWindow w = new CongestionWindow(16);
        assertThat(w.allowed()).isEqualTo(1);
        for (int i = 0; i < 7; i++) {
            w.onAnswer();
        }
        assertThat(w.allowed()).isEqualTo(8);
        assertThat(w.onLoss(5, 8)).isTrue();
        assertThat(w.allowed()).isEqualTo(4);
        assertThat(w.onLoss(7, 8)).as("sent before the halving: the same loss event").isFalse();
        assertThat(w.allowed()).isEqualTo(4);
        w.onAnswer();
        assertThat(w.window()).as("past the threshold it grows by 1/window").isBetween(4.2, 4.3);
        for (int i = 0; i < 1000; i++) {
            w.onAnswer();
        }
        assertThat(w.allowed()).isEqualTo(16);
        for (int i = 0; i < 10; i++) {
            w.onLoss(100 + 2 * i, 101 + 2 * i);
        }
        assertThat(w.allowed()).isEqualTo(1);
    }
}
