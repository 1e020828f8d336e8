package dev.aoe.frame;

import dev.aoe.ethernet.MacAddress;
import java.util.Optional;

/** One directive of a MAC Mask List command (AoEr11 §3.3), laid out by {@link MacMaskFlyweight}. */
public record MaskDirective(int dcmd, MacAddress mac) {

    /** Directive commands. */
    public enum Dcmd implements WireCode {
        NONE(0), ADD(1), DELETE(2);

        private final int code;

        Dcmd(int code) {
            this.code = code;
        }

        @Override
        public int code() {
            return code;
        }
    }

    public MaskDirective {
        AoeHeader.check("dcmd", dcmd, 0xFF);
    }

    public static MaskDirective of(Dcmd dcmd, MacAddress mac) {
        return new MaskDirective(dcmd.code(), mac);
    }

    public Optional<Dcmd> knownDcmd() {
        return WireCode.lookup(Dcmd.class, dcmd);
    }

    @Override
    public String toString() {
        return WireCode.describe(Dcmd.class, dcmd) + " " + mac;
    }
}
