package dev.aoe.frame;

import io.netty.buffer.ByteBuf;
import java.util.Optional;

/**
 * Query Config Information argument (AoEr11 §3.2), after the AoE header.
 * <pre>
 *  +0  buffer count      u16  requests the target queues; more are dropped
 *  +2  firmware version  u16
 *  +4  sector count      u8   most sectors per ATA request; 0 means 2
 *  +5  AoE ver | ccmd    u8   high nibble protocol version (1), low nibble subcommand
 *  +6  config length     u16  at most 1024
 *  +8  config string
 * </pre>
 */
public record ConfigArg(int bufferCount, int firmwareVersion, int sectorCount, int aoeVersion, int ccmd,
                        Octets config) implements Arg {

    public static final int BUFFER_COUNT_OFFSET = 0;
    public static final int FIRMWARE_VERSION_OFFSET = 2;
    public static final int SECTOR_COUNT_OFFSET = 4;
    public static final int VERSION_CCMD_OFFSET = 5;
    public static final int CONFIG_LENGTH_OFFSET = 6;
    public static final int CONFIG_OFFSET = 8;
    public static final int LENGTH = CONFIG_OFFSET;
    public static final int MAX_CONFIG_LENGTH = 1024;

    /** Subcommands of Query Config. */
    public enum Ccmd implements WireCode {
        READ(0), TEST(1), TEST_PREFIX(2), SET(3), FORCE_SET(4);

        private final int code;

        Ccmd(int code) {
            this.code = code;
        }

        @Override
        public int code() {
            return code;
        }
    }

    public ConfigArg {
        AoeHeader.check("buffer count", bufferCount, 0xFFFF);
        AoeHeader.check("firmware version", firmwareVersion, 0xFFFF);
        AoeHeader.check("sector count", sectorCount, 0xFF);
        AoeHeader.check("AoE version", aoeVersion, 0xF);
        AoeHeader.check("ccmd", ccmd, 0xF);
        if (config.length() > MAX_CONFIG_LENGTH) {
            throw new IllegalArgumentException("config string of " + config.length() + " bytes exceeds "
                    + MAX_CONFIG_LENGTH);
        }
    }

    /** A request: the target fills in the numbers, so they are sent as zero. */
    public static ConfigArg request(Ccmd ccmd, Octets config) {
        return new ConfigArg(0, 0, 0, AoeHeader.VERSION, ccmd.code(), config);
    }

    public static ConfigArg read() {
        return request(Ccmd.READ, Octets.EMPTY);
    }

    public Optional<Ccmd> knownCcmd() {
        return WireCode.lookup(Ccmd.class, ccmd);
    }

    /** The sector count with the backward-compatible meaning of 0 applied. */
    public int effectiveSectorCount() {
        return sectorCount == 0 ? 2 : sectorCount;
    }

    @Override
    public int encodedLength() {
        return LENGTH + config.length();
    }

    @Override
    public void encode(ByteBuf out) {
        out.writeShort(bufferCount).writeShort(firmwareVersion).writeByte(sectorCount)
                .writeByte((aoeVersion << 4) | ccmd).writeShort(config.length());
        config.writeTo(out);
    }

    static ConfigArg decode(ByteBuf frame) {
        int arg = AoeHeaderView.ARG_OFFSET;
        Bounds.require(frame, "config argument", arg, LENGTH);
        int verCcmd = frame.getUnsignedByte(arg + VERSION_CCMD_OFFSET);
        int length = frame.getUnsignedShort(arg + CONFIG_LENGTH_OFFSET);
        if (length > MAX_CONFIG_LENGTH) {
            throw new MalformedFrameException("config string length",
                    length + " at offset " + (arg + CONFIG_LENGTH_OFFSET) + " exceeds " + MAX_CONFIG_LENGTH,
                    AoeError.BAD_ARGUMENT);
        }
        Bounds.require(frame, "config string", arg + CONFIG_OFFSET, length);
        return new ConfigArg(frame.getUnsignedShort(arg + BUFFER_COUNT_OFFSET),
                frame.getUnsignedShort(arg + FIRMWARE_VERSION_OFFSET),
                frame.getUnsignedByte(arg + SECTOR_COUNT_OFFSET),
                verCcmd >>> 4, verCcmd & 0xF,
                Octets.read(frame, arg + CONFIG_OFFSET, length));
    }

    @Override
    public String toString() {
        return "CONFIG ccmd=" + WireCode.describe(Ccmd.class, ccmd) + " bufcnt=" + bufferCount
                + " fwver=0x" + Integer.toHexString(firmwareVersion) + " scnt=" + sectorCount
                + " aoever=" + aoeVersion + " config=\"" + printable(config) + "\"";
    }

    /** The string with non-printable bytes escaped, cut after 64 bytes (aoeping sends 1024 bytes of garbage). */
    static String printable(Octets bytes) {
        StringBuilder sb = new StringBuilder();
        int shown = Math.min(bytes.length(), 64);
        for (int i = 0; i < shown; i++) {
            int c = bytes.get(i) & 0xFF;
            if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02x", c));
            }
        }
        if (shown < bytes.length()) {
            sb.append("...(").append(bytes.length()).append(" bytes)");
        }
        return sb.toString();
    }
}
