package dev.aoe.frame;

import dev.aoe.ethernet.MacAddress;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * MAC Mask List argument (AoEr11 §3.3), laid out by {@link MacMaskFlyweight} (the byte diagram is
 * there). In a response with merror set, the directive count is the index of the directive that failed
 * and no directives are decoded.
 */
public record MacMaskArg(int mcmd, int merror, int dirCount, List<MaskDirective> directives) implements Arg {

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
        AoeHeader.check("directive count", dirCount, MacMaskFlyweight.MAX_DIRECTIVES);
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
        return MacMaskFlyweight.ARG_LENGTH + directives.size() * MacMaskFlyweight.DIRECTIVE_LENGTH;
    }

    @Override
    public void encode(ByteBuf frame, int frameOffset) {
        MacMaskFlyweight f = new MacMaskFlyweight().wrap(frame, frameOffset).mcmd(mcmd).merror(merror).dirCount(dirCount);
        for (int i = 0; i < directives.size(); i++) {
            f.directive(i, directives.get(i).dcmd(), directives.get(i).mac().value());
        }
    }

    static MacMaskArg decode(ByteBuf frame, boolean response) {
        Bounds.require(frame, "MAC mask argument", MacMaskFlyweight.ARG_OFFSET, MacMaskFlyweight.ARG_LENGTH);
        MacMaskFlyweight f = new MacMaskFlyweight().wrap(frame, 0);
        int merror = f.merror();
        int count = f.dirCount();
        int decoded = response && merror != 0 ? 0 : count;
        Bounds.require(frame, "MAC mask directives (" + decoded + ")", MacMaskFlyweight.DIRECTIVES_OFFSET,
                decoded * MacMaskFlyweight.DIRECTIVE_LENGTH);
        List<MaskDirective> directives = new ArrayList<>(decoded);
        for (int i = 0; i < decoded; i++) {
            directives.add(new MaskDirective(f.dcmd(i), new MacAddress(f.mac(i))));
        }
        return new MacMaskArg(f.mcmd(), merror, count, directives);
    }

    @Override
    public String toString() {
        return "MASK mcmd=" + WireCode.describe(Mcmd.class, mcmd)
                + (merror != 0 ? " merror=" + WireCode.describe(Merror.class, merror) + " at=" + dirCount : "")
                + " dircount=" + dirCount + " " + directives;
    }
}
