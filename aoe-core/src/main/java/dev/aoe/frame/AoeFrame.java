package dev.aoe.frame;

import dev.aoe.ethernet.MacAddress;

/** One AoE frame: Ethernet addresses, the AoE header and the command's argument. */
public record AoeFrame(MacAddress destination, MacAddress source, AoeHeader header, Arg arg) {

    public AoeFrame {
        Class<? extends Arg> expected = argType(header);
        if (!expected.isInstance(arg)) {
            throw new IllegalArgumentException("command " + AoeCommand.describe(header.command()) + " takes " + expected.getSimpleName() + ", not "
                    + arg.getClass().getSimpleName());
        }
        if (arg instanceof AtaArg ata) {
            checkAtaData(header, ata);
        }
    }

    /** The data a decoder would find: a write request's sectors, a read response's whole sectors, else none. */
    private static void checkAtaData(AoeHeader header, AtaArg ata) {
        int length = ata.data().length();
        boolean ok;
        if (ata.write()) {
            ok = length == (header.response() ? 0 : ata.sectorCount() * AtaFlyweight.SECTOR_SIZE);
        } else {
            ok = header.response() ? length % AtaFlyweight.SECTOR_SIZE == 0 : length == 0;
        }
        if (!ok) {
            throw new IllegalArgumentException((header.response() ? "response" : "request") + " " + ata
                    + " cannot carry " + length + " data bytes");
        }
    }

    /**
     * Which argument record a header's command calls for, whatever the version: vblade announces itself
     * with version 0 and Linux accepts that, so a reader must too. A target checks the version (a
     * static peek) before it decodes, to answer error 5.
     */
    static Class<? extends Arg> argType(AoeHeader header) {
        return switch (header.command()) {
            case 0 -> AtaArg.class;
            case 1 -> ConfigArg.class;
            case 2 -> MacMaskArg.class;
            case 3 -> ReserveReleaseArg.class;
            default -> RawArg.class;
        };
    }

    /** Bytes on the wire before padding. */
    public int encodedLength() {
        return HeaderFlyweight.LENGTH + arg.encodedLength();
    }

    @Override
    public String toString() {
        return source + " > " + destination + " " + header + " " + arg;
    }
}
