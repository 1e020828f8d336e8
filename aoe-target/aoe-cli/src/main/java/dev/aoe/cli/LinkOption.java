package dev.aoe.cli;

import dev.aoe.link.spec.LinkKind;
import picocli.CommandLine.Option;

/** {@code --link KIND}, one picocli mixin for the target and the initiator commands. */
public final class LinkOption {

    @Option(names = "--link", paramLabel = "KIND", defaultValue = "pcap", converter = LinkKinds.class,
            completionCandidates = LinkKinds.class,
            description = "How frames reach the interface: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    LinkKind kind;

    public LinkKind kind() {
        return kind;
    }
}
