package dev.aoe.frame;

import io.netty.buffer.ByteBuf;

/**
 * A Query Config Information frame (AoEr11 §3.2) as a read-write view: the headers, then the argument.
 * <pre>
 *  24  buffer count      u16  requests the target queues; more are dropped
 *  26  firmware version  u16
 *  28  sector count      u8   most sectors per ATA request; 0 means 2
 *  29  AoE ver | ccmd    u8   high nibble protocol version (1), low nibble subcommand
 *  30  config length     u16  at most 1024
 *  32  config string
 * </pre>
 */
public final class ConfigFlyweight extends HeaderFlyweight {

    public static final int BUFFER_COUNT_OFFSET = ARG_OFFSET;
    public static final int FIRMWARE_VERSION_OFFSET = BUFFER_COUNT_OFFSET + Short.BYTES;
    public static final int SECTOR_COUNT_OFFSET = FIRMWARE_VERSION_OFFSET + Short.BYTES;
    public static final int VERSION_CCMD_OFFSET = SECTOR_COUNT_OFFSET + 1;
    public static final int CONFIG_LENGTH_OFFSET = VERSION_CCMD_OFFSET + 1;
    public static final int CONFIG_OFFSET = CONFIG_LENGTH_OFFSET + Short.BYTES;
    /** The argument without the config string: 8 bytes. */
    public static final int ARG_LENGTH = CONFIG_OFFSET - ARG_OFFSET;
    public static final int MAX_CONFIG_LENGTH = 1024;

    @Override
    public ConfigFlyweight wrap(ByteBuf buf, int frameOffset) {
        super.wrap(buf, frameOffset);
        return this;
    }

    @Override
    public ConfigFlyweight wrap(ByteBuf frame) {
        super.wrap(frame);
        return this;
    }

    public int bufferCount() {
        return buffer.getUnsignedShort(offset + BUFFER_COUNT_OFFSET);
    }

    public ConfigFlyweight bufferCount(int value) {
        buffer.setShort(offset + BUFFER_COUNT_OFFSET, value);
        return this;
    }

    public int firmwareVersion() {
        return buffer.getUnsignedShort(offset + FIRMWARE_VERSION_OFFSET);
    }

    public ConfigFlyweight firmwareVersion(int value) {
        buffer.setShort(offset + FIRMWARE_VERSION_OFFSET, value);
        return this;
    }

    public int sectorCount() {
        return buffer.getUnsignedByte(offset + SECTOR_COUNT_OFFSET);
    }

    public ConfigFlyweight sectorCount(int value) {
        buffer.setByte(offset + SECTOR_COUNT_OFFSET, value);
        return this;
    }

    public int aoeVersion() {
        return buffer.getUnsignedByte(offset + VERSION_CCMD_OFFSET) >>> 4;
    }

    public int ccmd() {
        return buffer.getUnsignedByte(offset + VERSION_CCMD_OFFSET) & 0xF;
    }

    /** Sets the packed AoE version and subcommand byte. */
    public ConfigFlyweight versionCcmd(int aoeVersion, int ccmd) {
        buffer.setByte(offset + VERSION_CCMD_OFFSET, (aoeVersion << 4) | ccmd);
        return this;
    }

    public int configLength() {
        return buffer.getUnsignedShort(offset + CONFIG_LENGTH_OFFSET);
    }

    public ConfigFlyweight configLength(int value) {
        buffer.setShort(offset + CONFIG_LENGTH_OFFSET, value);
        return this;
    }

    public int configIndex() {
        return offset + CONFIG_OFFSET;
    }

    /** Writes the config string and its length. */
    public ConfigFlyweight config(Octets value) {
        configLength(value.length());
        value.setTo(buffer, offset + CONFIG_OFFSET);
        return this;
    }
}
