package dev.aoe.bench.veth;

import dev.aoe.link.afpacket.AfPacketLink;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.LongAdder;

/**
 * The receiving end of {@link VethCeilingBenchmark}: reads every AoE frame that reaches an interface
 * from an AF_PACKET ring, as a target would, and does nothing else. Run inside the far namespace; it
 * prints {@code ready}, then on each line read from standard input the frames received so far and its
 * CPU seconds, and exits at end of input.
 */
public final class Sink {

    private Sink() {
    }

    public static void main(String[] args) throws Exception {
        LongAdder frames = new LongAdder();
        try (AfPacketLink link = AfPacketLink.open(args[0])) {
            link.start(frame -> frames.increment());
            System.out.println("ready");
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (in.readLine() != null) {
                System.out.println(frames.sum() + " " + TargetUnderTest.cpuSeconds(ProcessHandle.current().pid()));
                System.out.flush();
            }
        }
    }
}
