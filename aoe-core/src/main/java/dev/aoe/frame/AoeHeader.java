package dev.aoe.frame;

import dev.aoe.ethernet.Ethernet;
import dev.aoe.ethernet.MacAddress;

/**
 * The common AoE header (AoEr11 §2), the ten bytes after the Ethernet header, laid out by
 * {@link HeaderFlyweight} (the byte diagram is there). Major 0xFFFF and minor 0xFF address every
 * shelf and every slot.
 */
public record AoeHeader(int version, boolean response, boolean errorFlag, int errorCode,
                        int major, int minor, int command, int tag) {

    public AoeHeader {
        check("version", version, 0xF);
        check("error", errorCode, 0xFF);
        check("major", major, 0xFFFF);
        check("minor", minor, 0xFF);
        check("command", command, 0xFF);
    }

    static void check(String field, long value, long max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(field + " " + value + " is outside 0.." + max);
        }
    }

    /** The header a flyweight views. */
    static AoeHeader of(HeaderFlyweight h) {
        return new AoeHeader(h.version(), h.response(), h.error(), h.errorCode(), h.major(), h.minor(), h.command(),
                h.tag());
    }

    /** Writes this header and the Ethernet addresses through the flyweight. */
    void encode(HeaderFlyweight h, MacAddress destination, MacAddress source) {
        h.destination(destination.value()).source(source.value()).etherType(Ethernet.ETHERTYPE_AOE)
                .verFlags(verFlagsByte()).errorCode(errorCode).major(major).minor(minor).command(command).tag(tag);
    }

    public static AoeHeader request(int major, int minor, AoeCommand command, int tag) {
        return new AoeHeader(HeaderFlyweight.VERSION, false, false, 0, major, minor, command.code(), tag);
    }

    /** The response to this request: R set, the given (real) address, same command and tag. */
    public AoeHeader toResponse(int realMajor, int realMinor) {
        return new AoeHeader(HeaderFlyweight.VERSION, true, false, 0, realMajor, realMinor, command, tag);
    }

    public AoeHeader withError(AoeError error) {
        return new AoeHeader(version, response, true, error.code(), major, minor, command, tag);
    }

    public boolean isBroadcast() {
        return major == HeaderFlyweight.BROADCAST_MAJOR || minor == HeaderFlyweight.BROADCAST_MINOR;
    }

    int verFlagsByte() {
        return (version << 4) | (response ? HeaderFlyweight.FLAG_RESPONSE : 0) | (errorFlag ? HeaderFlyweight.FLAG_ERROR : 0);
    }

    @Override
    public String toString() {
        return "v" + version + (response ? " R" : "") + (errorFlag ? " E error=" + AoeError.describe(errorCode) : "")
                + " e" + major + "." + minor + " cmd=" + AoeCommand.describe(command)
                + " tag=0x" + String.format("%08x", tag);
    }
}
