package dev.aoe.frame;

/**
 * The common AoE header (AoEr11 §2), the ten bytes after the Ethernet header.
 * <pre>
 *  byte 14        15       16-17        18       19        20-23
 * +--------+----------+-------------+-------+---------+-----------+
 * |Ver|Flgs|  Error   |    Major    | Minor | Command |    Tag    |
 * +--------+----------+-------------+-------+---------+-----------+
 *  Ver: high nibble, 1.  Flags: R 0x08 response, E 0x04 error, bits 0-1 reserved (sent as 0, ignored).
 * </pre>
 * Major 0xFFFF and minor 0xFF address every shelf and every slot.
 */
public record AoeHeader(int version, boolean response, boolean errorFlag, int errorCode,
                        int major, int minor, int command, int tag) {

    public static final int VERSION = 1;
    public static final int BROADCAST_MAJOR = 0xFFFF;
    public static final int BROADCAST_MINOR = 0xFF;
    public static final int FLAG_RESPONSE = 0x08;
    public static final int FLAG_ERROR = 0x04;

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

    public static AoeHeader request(int major, int minor, AoeCommand command, int tag) {
        return new AoeHeader(VERSION, false, false, 0, major, minor, command.code(), tag);
    }

    /** The response to this request: R set, the given (real) address, same command and tag. */
    public AoeHeader toResponse(int realMajor, int realMinor) {
        return new AoeHeader(VERSION, true, false, 0, realMajor, realMinor, command, tag);
    }

    public AoeHeader withError(AoeError error) {
        return new AoeHeader(version, response, true, error.code(), major, minor, command, tag);
    }

    public boolean isBroadcast() {
        return major == BROADCAST_MAJOR || minor == BROADCAST_MINOR;
    }

    int verFlagsByte() {
        return (version << 4) | (response ? FLAG_RESPONSE : 0) | (errorFlag ? FLAG_ERROR : 0);
    }

    @Override
    public String toString() {
        return "v" + version + (response ? " R" : "") + (errorFlag ? " E error=" + AoeError.describe(errorCode) : "")
                + " e" + major + "." + minor + " cmd=" + AoeCommand.describe(command)
                + " tag=0x" + String.format("%08x", tag);
    }
}
