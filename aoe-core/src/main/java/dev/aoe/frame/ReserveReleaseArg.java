package dev.aoe.frame;

import dev.aoe.ethernet.MacAddress;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reserve/Release argument (AoEr11 §3.4), laid out by {@link ReserveReleaseFlyweight} (the byte
 * diagram is there). Anything after the last MAC is Ethernet padding. Release is a set or force set with no MACs.
 */
public record ReserveReleaseArg(int rcmd, List<MacAddress> macs) implements Arg {

    /** Reserve/Release subcommands. */
    public enum Rcmd implements WireCode {
        READ(0), SET(1), FORCE_SET(2);

        private final int code;

        Rcmd(int code) {
            this.code = code;
        }

        @Override
        public int code() {
            return code;
        }
    }

    public ReserveReleaseArg {
        AoeHeader.check("rcmd", rcmd, 0xFF);
        macs = List.copyOf(macs);
        AoeHeader.check("nmacs", macs.size(), ReserveReleaseFlyweight.MAX_MACS);
    }

    public static ReserveReleaseArg of(Rcmd rcmd, List<MacAddress> macs) {
        return new ReserveReleaseArg(rcmd.code(), macs);
    }

    public Optional<Rcmd> knownRcmd() {
        return WireCode.lookup(Rcmd.class, rcmd);
    }

    @Override
    public int encodedLength() {
        return ReserveReleaseFlyweight.ARG_LENGTH + macs.size() * MacAddress.LENGTH;
    }

    @Override
    public void encode(ByteBuf frame, int frameOffset) {
        ReserveReleaseFlyweight f = new ReserveReleaseFlyweight().wrap(frame, frameOffset).rcmd(rcmd).nmacs(macs.size());
        for (int i = 0; i < macs.size(); i++) {
            f.mac(i, macs.get(i).value());
        }
    }

    static ReserveReleaseArg decode(ByteBuf frame) {
        Bounds.require(frame, "reserve/release argument", ReserveReleaseFlyweight.ARG_OFFSET,
                ReserveReleaseFlyweight.ARG_LENGTH);
        ReserveReleaseFlyweight f = new ReserveReleaseFlyweight().wrap(frame, 0);
        int count = f.nmacs();
        Bounds.require(frame, "reserve/release MAC list (" + count + ")", ReserveReleaseFlyweight.MACS_OFFSET,
                count * MacAddress.LENGTH);
        List<MacAddress> macs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            macs.add(new MacAddress(f.mac(i)));
        }
        return new ReserveReleaseArg(f.rcmd(), macs);
    }

    @Override
    public String toString() {
        return "RESERVE rcmd=" + WireCode.describe(Rcmd.class, rcmd) + " nmacs=" + macs.size() + " " + macs;
    }
}
