package dev.aoe.frame;

import dev.aoe.link.MacAddress;
import io.netty.buffer.ByteBuf;
import java.util.Optional;

/**
 * One directive of a MAC Mask List command (AoEr11 §3.3).
 * <pre>
 *  +0 reserved  +1 dcmd (0 none, 1 add, 2 delete)  +2 MAC address (6 bytes)
 * </pre>
 */
public record MaskDirective(int dcmd, MacAddress mac) {

    public static final int DCMD_OFFSET = 1;
    public static final int MAC_OFFSET = 2;
    public static final int LENGTH = MAC_OFFSET + MacAddress.LENGTH;

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

    void encode(ByteBuf out) {
        out.writeByte(0).writeByte(dcmd);
        mac.writeTo(out);
    }

    static MaskDirective decode(ByteBuf frame, int index) {
        return new MaskDirective(frame.getUnsignedByte(index + DCMD_OFFSET), MacAddress.read(frame, index + MAC_OFFSET));
    }

    @Override
    public String toString() {
        return WireCode.describe(Dcmd.class, dcmd) + " " + mac;
    }
}
