package dev.aoe.link;

import dev.aoe.ethernet.MacAddress;
import dev.aoe.frame.AoeCommand;
import dev.aoe.frame.AoeFrame;
import dev.aoe.frame.AoeHeader;
import dev.aoe.frame.AtaArg;
import dev.aoe.frame.FrameCodec;
import dev.aoe.link.spec.LinkKind;

/**
 * A sender for {@link LiveLinkIT}'s fanout test, run in another network namespace: on the link kind
 * and interface of its first two arguments, sends {@code perClient} AoE requests as each of
 * {@code clients} made-up source MACs ({@code 02:00:00:00:00:01} and on), interleaved, the tag
 * holding the client number and the frame's sequence number; prints SENT and the count.
 */
public final class SprayPeer {

    public static void main(String[] args) {
        int clients = Integer.parseInt(args[2]);
        int perClient = Integer.parseInt(args[3]);
        try (FrameLink link = LinkKind.of(args[0]).open(args[1])) {
            for (int seq = 0; seq < perClient; seq++) {
                for (int client = 1; client <= clients; client++) {
                    AoeFrame request = new AoeFrame(MacAddress.BROADCAST, client(client),
                            AoeHeader.request(0, 1, AoeCommand.ATA, client << 16 | seq), AtaArg.command(0xEC, false, 0, 1));
                    link.send(FrameCodec.encode(request, link.alloc()));
                }
            }
            System.out.println("SENT " + clients * perClient);
        }
    }

    static MacAddress client(int n) {
        return MacAddress.parse(String.format("02:00:00:00:00:%02x", n));
    }
}
