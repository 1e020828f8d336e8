package dev.aoe.frame;

import io.netty.buffer.ByteBuf;
import java.util.Optional;

/**
 * Query Config Information argument (AoEr11 §3.2), laid out by {@link ConfigFlyweight} (the byte
 * diagram is there).
 */
public record ConfigArg(int bufferCount, int firmwareVersion, int sectorCount, int aoeVersion, int ccmd,
                        Octets config) implements Arg {


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
        if (config.length() > ConfigFlyweight.MAX_CONFIG_LENGTH) {
            throw new IllegalArgumentException("config string of " + config.length() + " bytes exceeds "
                    + ConfigFlyweight.MAX_CONFIG_LENGTH);
        }
    }

    /** A request: the target fills in the numbers, so they are sent as zero. */
    public static ConfigArg request(Ccmd ccmd, Octets config) {
        return new ConfigArg(0, 0, 0, HeaderFlyweight.VERSION, ccmd.code(), config);
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
        return ConfigFlyweight.ARG_LENGTH + config.length();
    }

    @Override
    public void encode(ByteBuf frame, int frameOffset) {
        new ConfigFlyweight().wrap(frame, frameOffset).bufferCount(bufferCount).firmwareVersion(firmwareVersion)
                .sectorCount(sectorCount).versionCcmd(aoeVersion, ccmd).config(config);
    }

    static ConfigArg decode(ByteBuf frame) {
        Bounds.require(frame, "config argument", ConfigFlyweight.ARG_OFFSET, ConfigFlyweight.ARG_LENGTH);
        ConfigFlyweight f = new ConfigFlyweight().wrap(frame, 0);
        int length = f.configLength();
        if (length > ConfigFlyweight.MAX_CONFIG_LENGTH) {
            throw new MalformedFrameException("config string length", length + " at offset "
                    + ConfigFlyweight.CONFIG_LENGTH_OFFSET + " exceeds " + ConfigFlyweight.MAX_CONFIG_LENGTH, AoeError.BAD_ARGUMENT);
        }
        Bounds.require(frame, "config string", ConfigFlyweight.CONFIG_OFFSET, length);
        return new ConfigArg(f.bufferCount(), f.firmwareVersion(), f.sectorCount(), f.aoeVersion(), f.ccmd(),
                Octets.read(frame, f.configIndex(), length));
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
