package dev.aoe.frame;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * MAC Mask List argument (AoEr11 §3.3), after the AoE header.
 * <pre>
 *  +0 reserved  +1 mcmd (0 read, 1 edit)  +2 merror  +3 directive count  +4 directives, 8 bytes each
 * </pre>
 * In a response with merror set, the directive count is the index of the directive that failed
 * and no directives are decoded.
 */
public record MacMaskArg(int mcmd, int merror, int dirCount, List<MaskDirective> directives) implements Arg {

    public static final int MCMD_OFFSET = 1;
    public static final int MERROR_OFFSET = 2;
    public static final int DIR_COUNT_OFFSET = 3;
    public static final int DIRECTIVES_OFFSET = 4;
    public static final int LENGTH = DIRECTIVES_OFFSET;
    public static final int MAX_DIRECTIVES = 255;

    /** Mask subcommands. */
    public enum Mcmd implements WireCode {
        READ(0), EDIT(1);

        private final int code;

        Mcmd(int code) {
            this.code = code;
        }

        @Override
        public int code() {
            return code;
        }
    }

    /** Values of merror. */
    public enum Merror implements WireCode {
        UNSPECIFIED(1), BAD_DIRECTIVE(2), LIST_FULL(3);

        private final int code;

        Merror(int code) {
            this.code = code;
        }

        @Override
        public int code() {
            return code;
        }
    }

    public MacMaskArg {
        AoeHeader.check("mcmd", mcmd, 0xFF);
        AoeHeader.check("merror", merror, 0xFF);
        AoeHeader.check("directive count", dirCount, MAX_DIRECTIVES);
        directives = List.copyOf(directives);
        if (merror == 0 && dirCount != directives.size()) {
            throw new IllegalArgumentException("directive count " + dirCount + " but " + directives.size()
                    + " directives");
        }
    }

    public static MacMaskArg read() {
        return new MacMaskArg(Mcmd.READ.code(), 0, 0, List.of());
    }

    public static MacMaskArg edit(List<MaskDirective> directives) {
        return new MacMaskArg(Mcmd.EDIT.code(), 0, directives.size(), directives);
    }

    /** A reply listing the current mask (every directive NONE). */
    public static MacMaskArg list(int mcmd, List<MaskDirective> current) {
        return new MacMaskArg(mcmd, 0, current.size(), current);
    }

    /** A reply reporting that directive {@code index} failed. */
    public static MacMaskArg failure(int mcmd, Merror error, int index) {
        return new MacMaskArg(mcmd, error.code(), index, List.of());
    }

    public Optional<Mcmd> knownMcmd() {
        return WireCode.lookup(Mcmd.class, mcmd);
    }

    @Override
    public int encodedLength() {
        return LENGTH + directives.size() * MaskDirective.LENGTH;
    }

    @Override
    public void encode(ByteBuf out) {
        out.writeByte(0).writeByte(mcmd).writeByte(merror).writeByte(dirCount);
        for (MaskDirective d : directives) {
            d.encode(out);
        }
    }

    static MacMaskArg decode(ByteBuf frame, boolean response) {
        int arg = AoeHeaderView.ARG_OFFSET;
        Bounds.require(frame, "MAC mask argument", arg, LENGTH);
        int merror = frame.getUnsignedByte(arg + MERROR_OFFSET);
        int count = frame.getUnsignedByte(arg + DIR_COUNT_OFFSET);
        int decoded = response && merror != 0 ? 0 : count;
        int first = arg + DIRECTIVES_OFFSET;
        Bounds.require(frame, "MAC mask directives (" + decoded + ")", first, decoded * MaskDirective.LENGTH);
        List<MaskDirective> directives = new ArrayList<>(decoded);
        for (int i = 0; i < decoded; i++) {
            directives.add(MaskDirective.decode(frame, first + i * MaskDirective.LENGTH));
        }
        return new MacMaskArg(frame.getUnsignedByte(arg + MCMD_OFFSET), merror, count, directives);
    }

    @Override
    public String toString() {
        return "MASK mcmd=" + WireCode.describe(Mcmd.class, mcmd)
                + (merror != 0 ? " merror=" + WireCode.describe(Merror.class, merror) + " at=" + dirCount : "")
                + " dircount=" + dirCount + " " + directives;
    }
}
