package dev.aoe.frame;

import dev.aoe.link.MacAddress;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reserve/Release argument (AoEr11 §3.4), after the AoE header.
 * <pre>
 *  +0 rcmd (0 read, 1 set, 2 force set)  +1 nmacs  +2 MAC addresses, 6 bytes each
 * </pre>
 * Anything after the last MAC is Ethernet padding. Release is a set or force set with no MACs.
 */
public record ReserveReleaseArg(int rcmd, List<MacAddress> macs) implements Arg {

    public static final int RCMD_OFFSET = 0;
    public static final int NMACS_OFFSET = 1;
    public static final int MACS_OFFSET = 2;
    public static final int LENGTH = MACS_OFFSET;
    public static final int MAX_MACS = 255;

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
        AoeHeader.check("nmacs", macs.size(), MAX_MACS);
    }

    public static ReserveReleaseArg of(Rcmd rcmd, List<MacAddress> macs) {
        return new ReserveReleaseArg(rcmd.code(), macs);
    }

    public Optional<Rcmd> knownRcmd() {
        return WireCode.lookup(Rcmd.class, rcmd);
    }

    @Override
    public int encodedLength() {
        return LENGTH + macs.size() * MacAddress.LENGTH;
    }

    @Override
    public void encode(ByteBuf out) {
        out.writeByte(rcmd).writeByte(macs.size());
        for (MacAddress mac : macs) {
            mac.writeTo(out);
        }
    }

    static ReserveReleaseArg decode(ByteBuf frame) {
        int arg = AoeHeaderView.ARG_OFFSET;
        Bounds.require(frame, "reserve/release argument", arg, LENGTH);
        int count = frame.getUnsignedByte(arg + NMACS_OFFSET);
        int first = arg + MACS_OFFSET;
        Bounds.require(frame, "reserve/release MAC list (" + count + ")", first, count * MacAddress.LENGTH);
        List<MacAddress> macs = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            macs.add(MacAddress.read(frame, first + i * MacAddress.LENGTH));
        }
        return new ReserveReleaseArg(frame.getUnsignedByte(arg + RCMD_OFFSET), macs);
    }

    @Override
    public String toString() {
        return "RESERVE rcmd=" + WireCode.describe(Rcmd.class, rcmd) + " nmacs=" + macs.size() + " " + macs;
    }
}
