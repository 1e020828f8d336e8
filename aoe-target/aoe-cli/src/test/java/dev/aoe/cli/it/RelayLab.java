package dev.aoe.cli.it;

import dev.aoe.link.afpacket.AfPacketLink;
import dev.aoe.relay.Relay;
import dev.aoe.relay.RelayFaults;
import dev.aoe.testing.NetworkNamespace;
import dev.aoe.testing.Prerequisites;

/**
 * A target's namespace and an initiator's namespace joined through our fault relay: each namespace
 * has a veth pair, and the relay (in the test's JVM, on AF_PACKET) bridges the two outside ends, so
 * whatever crosses between target and initiator passes its faults. Frames going to the initiator are
 * the relay's {@link Relay#forward()} direction.
 */
final class RelayLab implements AutoCloseable {

    final NetworkNamespace target;
    final NetworkNamespace initiator;
    final Relay relay;

    private RelayLab(NetworkNamespace target, NetworkNamespace initiator, Relay relay) {
        this.target = target;
        this.initiator = initiator;
        this.relay = relay;
    }

    static RelayLab create(int mtu, RelayFaults faults) throws Exception {
        Prerequisites.requireRoot();
        NetworkNamespace t = NetworkNamespace.create(mtu);
        NetworkNamespace i = null;
        try {
            i = NetworkNamespace.create(mtu);
            Relay relay = Relay.start(AfPacketLink.open(t.outside()), AfPacketLink.open(i.outside()), faults);
            return new RelayLab(t, i, relay);
        } catch (Exception | Error e) {
            if (i != null) {
                i.close();
            }
            t.close();
            throw e;
        }
    }

    @Override
    public void close() throws Exception {
        relay.close();
        initiator.close();
        target.close();
    }
}
