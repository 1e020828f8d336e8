package dev.aoe.cli;

import dev.aoe.link.LinkException;
import dev.aoe.link.spec.LinkKind;
import dev.aoe.link.spec.LinkSpec;
import picocli.CommandLine.Option;

/** {@code --link KIND}, one picocli mixin for the target and the initiator commands. */
public final class LinkOption {

    @Option(names = "--link", paramLabel = "KIND", defaultValue = "afpacket", converter = LinkKinds.class,
            completionCandidates = LinkKinds.class,
            description = {"How frames reach an interface given by its bare name: ${COMPLETION-CANDIDATES}"
                    + " (default: ${DEFAULT-VALUE}; pcap where AF_PACKET cannot work, which the start says).",
                "An interface may also name its own: pcap:eth0, afpacket:eth0, or udp:PORT[-REMOTEPORT] for frames"
                    + " in UDP datagrams on 127.0.0.1, as QEMU's -netdev dgram sends them (no root needed)."})
    LinkKind kind;

    public LinkKind kind() {
        return kind;
    }

    /** The link an interface argument names, or a usage error (exit 2) for a malformed one. */
    public LinkSpec spec(String iface) {
        try {
            return LinkSpec.parse(iface, kind);
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(e.getMessage(), CommandLines.EXIT_USAGE);
        }
    }

    /** Opens an interface argument; a failure is one line (exit 1, or 5 for a missing privilege). */
    public LinkSpec.Opened open(String iface, int busyPollMicros) {
        return open(iface, busyPollMicros, 1);
    }

    /** Opens an interface argument as {@code threads} links sharing its frames (see {@link LinkSpec#open(int, int)}). */
    public LinkSpec.Opened open(String iface, int busyPollMicros, int threads) {
        LinkSpec spec = spec(iface);
        try {
            return spec.open(busyPollMicros, threads);
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(e.getMessage(), CommandLines.EXIT_USAGE);
        } catch (LinkException e) {
            boolean permission = e.getMessage().contains("permission");
            throw new CommandFailure(e.getMessage(), permission ? CommandLines.EXIT_PERMISSION : CommandLines.EXIT_FAILURE);
        }
    }
}
