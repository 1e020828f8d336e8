package dev.aoe.frame;

import dev.aoe.ethernet.Ethernet;
import dev.aoe.ethernet.MacAddress;
import io.netty.buffer.ByteBuf;

/**
 * The Ethernet and AoE headers of a frame (AoEr11 §2) as a read-write view over a buffer, in Aeron's
 * flyweight manner: named offsets counted from the first byte of the Ethernet frame, getter/setter
 * pairs ({@code tag()}/{@code tag(int)}), nothing allocated. The argument flyweights extend it.
 * <pre>
 *  0      6      12     14        15      16-17   18      19       20-23
 * +------+------+------+---------+-------+-------+-------+--------+-------+------------
 * | dst  | src  |88A2  |Ver|Flags| Error | Major | Minor | Command|  Tag  | argument ...
 * +------+------+------+---------+-------+-------+-------+--------+-------+------------
 *  Ver: high nibble, 1.  Flags: R 0x08 response, E 0x04 error, bits 0-1 reserved (sent 0, ignored).
 * </pre>
 * Static peeks ({@link #tag(ByteBuf)}, {@link #isResponse(ByteBuf)} ...) read one field at the
 * buffer's reader index without a flyweight: what a receive loop uses to filter before it decodes.
 * Callers check {@link #isAoe} (which checks the length) first. Multi-byte fields are big-endian.
 */
public class HeaderFlyweight {

    public static final int VER_FLAGS_OFFSET = Ethernet.HEADER_LENGTH;
    public static final int ERROR_OFFSET = VER_FLAGS_OFFSET + 1;
    public static final int MAJOR_OFFSET = ERROR_OFFSET + 1;
    public static final int MINOR_OFFSET = MAJOR_OFFSET + Short.BYTES;
    public static final int COMMAND_OFFSET = MINOR_OFFSET + 1;
    public static final int TAG_OFFSET = COMMAND_OFFSET + 1;
    /** Ethernet header plus AoE header; the command's argument starts here. */
    public static final int LENGTH = TAG_OFFSET + Integer.BYTES;
    public static final int ARG_OFFSET = LENGTH;

    public static final int VERSION = 1;
    public static final int FLAG_RESPONSE = 0x08;
    public static final int FLAG_ERROR = 0x04;
    public static final int BROADCAST_MAJOR = 0xFFFF;
    public static final int BROADCAST_MINOR = 0xFF;

    protected ByteBuf buffer;
    protected int offset;

    /** Views the frame starting at {@code frameOffset} of {@code buf}; returns this. */
    public HeaderFlyweight wrap(ByteBuf buf, int frameOffset) {
        this.buffer = buf;
        this.offset = frameOffset;
        return this;
    }

    /** Views a received frame, which starts at the buffer's reader index. */
    public HeaderFlyweight wrap(ByteBuf frame) {
        return wrap(frame, frame.readerIndex());
    }

    public ByteBuf buffer() {
        return buffer;
    }

    public int offset() {
        return offset;
    }

    public long destination() {
        return MacAddress.bits(buffer, offset + Ethernet.DESTINATION_OFFSET);
    }

    public HeaderFlyweight destination(long mac) {
        MacAddress.setBits(buffer, offset + Ethernet.DESTINATION_OFFSET, mac);
        return this;
    }

    public long source() {
        return MacAddress.bits(buffer, offset + Ethernet.SOURCE_OFFSET);
    }

    public HeaderFlyweight source(long mac) {
        MacAddress.setBits(buffer, offset + Ethernet.SOURCE_OFFSET, mac);
        return this;
    }

    public int etherType() {
        return buffer.getUnsignedShort(offset + Ethernet.ETHERTYPE_OFFSET);
    }

    public HeaderFlyweight etherType(int value) {
        buffer.setShort(offset + Ethernet.ETHERTYPE_OFFSET, value);
        return this;
    }

    public int version() {
        return buffer.getUnsignedByte(offset + VER_FLAGS_OFFSET) >>> 4;
    }

    /** The whole Ver/Flags byte: version in the high nibble, R and E flags below. */
    public int verFlags() {
        return buffer.getUnsignedByte(offset + VER_FLAGS_OFFSET);
    }

    public HeaderFlyweight verFlags(int value) {
        buffer.setByte(offset + VER_FLAGS_OFFSET, value);
        return this;
    }

    public boolean response() {
        return (verFlags() & FLAG_RESPONSE) != 0;
    }

    public boolean error() {
        return (verFlags() & FLAG_ERROR) != 0;
    }

    /** Sets the E flag and the error code together, as a reply does. */
    public HeaderFlyweight error(int code) {
        verFlags(verFlags() | FLAG_ERROR);
        return errorCode(code);
    }

    public int errorCode() {
        return buffer.getUnsignedByte(offset + ERROR_OFFSET);
    }

    public HeaderFlyweight errorCode(int value) {
        buffer.setByte(offset + ERROR_OFFSET, value);
        return this;
    }

    public int major() {
        return buffer.getUnsignedShort(offset + MAJOR_OFFSET);
    }

    public HeaderFlyweight major(int value) {
        buffer.setShort(offset + MAJOR_OFFSET, value);
        return this;
    }

    public int minor() {
        return buffer.getUnsignedByte(offset + MINOR_OFFSET);
    }

    public HeaderFlyweight minor(int value) {
        buffer.setByte(offset + MINOR_OFFSET, value);
        return this;
    }

    public int command() {
        return buffer.getUnsignedByte(offset + COMMAND_OFFSET);
    }

    public HeaderFlyweight command(int value) {
        buffer.setByte(offset + COMMAND_OFFSET, value);
        return this;
    }

    public int tag() {
        return buffer.getInt(offset + TAG_OFFSET);
    }

    public HeaderFlyweight tag(int value) {
        buffer.setInt(offset + TAG_OFFSET, value);
        return this;
    }

    /**
     * Writes a whole header: the EtherType, version 1, the R flag when {@code response}, no error, and
     * the given addresses, command and tag. The frame's other bytes are untouched.
     */
    public HeaderFlyweight header(long destination, long source, boolean response, int major, int minor, int command,
                                  int tag) {
        destination(destination).source(source).etherType(Ethernet.ETHERTYPE_AOE);
        verFlags((VERSION << 4) | (response ? FLAG_RESPONSE : 0)).errorCode(0);
        return major(major).minor(minor).command(command).tag(tag);
    }

    // Static peeks at a received frame, which starts at the reader index.

    /** True when the readable bytes hold at least a whole AoE header with the AoE EtherType. */
    public static boolean isAoe(ByteBuf frame) {
        return frame.readableBytes() >= LENGTH && Ethernet.etherType(frame) == Ethernet.ETHERTYPE_AOE;
    }

    public static int version(ByteBuf frame) {
        return frame.getUnsignedByte(frame.readerIndex() + VER_FLAGS_OFFSET) >>> 4;
    }

    public static boolean isResponse(ByteBuf frame) {
        return (frame.getByte(frame.readerIndex() + VER_FLAGS_OFFSET) & FLAG_RESPONSE) != 0;
    }

    public static boolean isError(ByteBuf frame) {
        return (frame.getByte(frame.readerIndex() + VER_FLAGS_OFFSET) & FLAG_ERROR) != 0;
    }

    public static int errorCode(ByteBuf frame) {
        return frame.getUnsignedByte(frame.readerIndex() + ERROR_OFFSET);
    }

    public static int major(ByteBuf frame) {
        return frame.getUnsignedShort(frame.readerIndex() + MAJOR_OFFSET);
    }

    public static int minor(ByteBuf frame) {
        return frame.getUnsignedByte(frame.readerIndex() + MINOR_OFFSET);
    }

    public static int command(ByteBuf frame) {
        return frame.getUnsignedByte(frame.readerIndex() + COMMAND_OFFSET);
    }

    public static int tag(ByteBuf frame) {
        return frame.getInt(frame.readerIndex() + TAG_OFFSET);
    }

    /** Major 0xFFFF or minor 0xFF: every shelf, or every slot. */
    public static boolean isBroadcastAddress(int major, int minor) {
        return major == BROADCAST_MAJOR || minor == BROADCAST_MINOR;
    }

    @Override
    public String toString() {
        return String.format("%s > %s v%d%s%s e%d.%d cmd=%d tag=0x%08x", new MacAddress(source()),
                new MacAddress(destination()), version(), response() ? " R" : "", error() ? " E" + errorCode() : "",
                major(), minor(), command(), tag());
    }
}
