package dev.aoe.cli.initiator;

import dev.aoe.capture.CapturingLink;
import dev.aoe.capture.PcapFileWriter;
import dev.aoe.cli.CommandFailure;
import dev.aoe.cli.CommandLines;
import dev.aoe.cli.Durations;
import dev.aoe.cli.LinkOption;
import dev.aoe.initiator.AoeAddress;
import dev.aoe.initiator.AoeDevice;
import dev.aoe.initiator.AoeIoException.DeviceNotFoundException;
import dev.aoe.initiator.Initiator;
import dev.aoe.initiator.TargetInfo;
import dev.aoe.link.FrameLink;
import dev.aoe.link.InterfaceInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options every initiator command shares: interfaces, timeout, capture. */
final class InitiatorOptions {

    /** Exit codes beyond 0 (success), 1 (failure) and 2 (usage). */
    static final int EXIT_NOT_FOUND = 3;
    static final int EXIT_OUT_OF_RANGE = 4;
    static final int EXIT_PERMISSION = CommandLines.EXIT_PERMISSION;

    @Option(names = {"-i", "--iface"}, paramLabel = "IFACE",
            description = "Interface to use; repeat for several (default: every Ethernet interface that is up).")
    List<String> interfaces = new ArrayList<>();

    @Option(names = {"-t", "--timeout"}, paramLabel = "TIME", converter = Durations.class, defaultValue = "2s",
            description = "How long to wait for targets to answer discovery (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--dead-time", paramLabel = "TIME", converter = Durations.class, defaultValue = "10s",
            description = "How long a target may leave every request unanswered before the command fails; meanwhile it"
                    + " is probed every 250 ms and found again if it comes back, on its old or a new MAC"
                    + " (default: ${DEFAULT-VALUE}).")
    Duration deadTime;

    @Option(names = "--pcap", paramLabel = "FILE", description = "Record every frame sent and received to a pcap file.")
    Path pcap;

    @Mixin
    LinkOption linkOption;

    private PcapFileWriter capture;

    /** Opens the links and the initiator; failures become one-line errors with their exit codes. */
    Initiator open() {
        List<String> names = interfaces.isEmpty() ? InterfaceInfo.upEthernet() : interfaces;
        if (names.isEmpty()) {
            throw new CommandFailure("no Ethernet interface is up; give one with --iface");
        }
        Initiator.Builder builder = Initiator.builder().deadTime(deadTime);
        List<FrameLink> opened = new ArrayList<>();
        try {
            if (pcap != null) {
                capture = new PcapFileWriter(pcap);
            }
            for (String name : names) {
                FrameLink link = linkOption.open(name, 0).link();
                opened.add(link);
                builder.link(capture == null ? link : new CapturingLink(link, capture));
            }
        } catch (CommandFailure e) {
            opened.forEach(FrameLink::close);
            throw e;
        } catch (IOException e) {
            throw new CommandFailure("cannot write " + pcap + ": " + e.getMessage());
        }
        return builder.build();
    }

    /** Every target that answers a broadcast query within the timeout; none is a failure with exit code 3. */
    List<TargetInfo> discoverAll(Initiator initiator) throws IOException {
        List<TargetInfo> found = initiator.discover(timeout, Integer.MAX_VALUE);
        if (found.isEmpty()) {
            throw new CommandFailure("no AoE target answered within " + timeout.toMillis() + " ms", EXIT_NOT_FOUND);
        }
        return found;
    }

    AoeDevice device(Initiator initiator, String address) throws IOException {
        AoeAddress a = address(address);
        try {
            return initiator.open(a, timeout);
        } catch (DeviceNotFoundException e) {
            throw new CommandFailure(e.getMessage(), EXIT_NOT_FOUND);
        }
    }

    static AoeAddress address(String text) {
        try {
            return AoeAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(e.getMessage(), 2);
        }
    }

    void closeCapture() {
        if (capture != null) {
            try {
                capture.close();
            } catch (IOException e) {
                throw new CommandFailure("cannot finish " + pcap + ": " + e.getMessage());
            }
        }
    }
}
