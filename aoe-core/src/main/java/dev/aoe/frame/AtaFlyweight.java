package dev.aoe.frame;

import dev.aoe.ethernet.Ethernet;
import io.netty.buffer.ByteBuf;

/**
 * An Issue ATA Command frame (AoEr11 §3.1) as a read-write view: the headers, then the argument.
 * <pre>
 *  24  aflags       0 E 0 D 0 0 A W   E 0x40 LBA48, D 0x10 device, A 0x02 async write, W 0x01 write
 *  25  err/feature  feature in a request, error register in a response
 *  26  sector count sectors to transfer; in a response, sectors not transferred
 *  27  cmd/status   ATA command in a request, status register in a response
 *  28  lba0..lba5   48-bit LBA, little-endian (the only little-endian field in AoE)
 *  34  reserved[2]
 *  36  data         write request: sectorCount*512 bytes; read response: the sectors read
 * </pre>
 * For LBA28 commands initiators put the ATA device register in lba3's high nibble (Linux sends 0xE0);
 * {@link #lba28()} masks it away. {@link #sectorsPerFrame} is the one rule for how many sectors an
 * MTU carries.
 */
public final class AtaFlyweight extends HeaderFlyweight {

    public static final int AFLAGS_OFFSET = ARG_OFFSET;
    public static final int ERR_FEATURE_OFFSET = AFLAGS_OFFSET + 1;
    public static final int SECTOR_COUNT_OFFSET = ERR_FEATURE_OFFSET + 1;
    public static final int CMD_STATUS_OFFSET = SECTOR_COUNT_OFFSET + 1;
    public static final int LBA_OFFSET = CMD_STATUS_OFFSET + 1;
    public static final int RESERVED_OFFSET = LBA_OFFSET + 6;
    public static final int DATA_OFFSET = RESERVED_OFFSET + 2;
    /** The argument without data: 12 bytes. */
    public static final int ARG_LENGTH = DATA_OFFSET - ARG_OFFSET;

    public static final int FLAG_EXTENDED = 0x40;
    public static final int FLAG_DEVICE = 0x10;
    public static final int FLAG_ASYNC = 0x02;
    public static final int FLAG_WRITE = 0x01;
    public static final int KNOWN_FLAGS = FLAG_EXTENDED | FLAG_DEVICE | FLAG_ASYNC | FLAG_WRITE;

    public static final int SECTOR_SIZE = 512;
    public static final long MAX_LBA48 = (1L << 48) - 1;
    public static final long LBA28_MASK = 0x0FFF_FFFFL;
    /** The sector count field is one byte. */
    public static final int MAX_SECTORS = 255;
    /** What a frame carries besides sector data, counted in the MTU: the AoE header and the ATA argument. */
    public static final int OVERHEAD = DATA_OFFSET - Ethernet.HEADER_LENGTH;

    /**
     * Sectors one frame carries on a link of this MTU: (MTU - 22) / 512, at most 255, so 2 at 1500
     * and 17 at 9000; 0 when the MTU cannot carry one.
     */
    public static int sectorsPerFrame(int mtu) {
        return Math.max(0, Math.min(MAX_SECTORS, (mtu - OVERHEAD) / SECTOR_SIZE));
    }

    /** The frame length of an ATA frame carrying {@code sectors} of data, before padding. */
    public static int frameLength(int sectors) {
        return DATA_OFFSET + sectors * SECTOR_SIZE;
    }

    @Override
    public AtaFlyweight wrap(ByteBuf buf, int frameOffset) {
        super.wrap(buf, frameOffset);
        return this;
    }

    @Override
    public AtaFlyweight wrap(ByteBuf frame) {
        super.wrap(frame);
        return this;
    }

    public int aflags() {
        return buffer.getUnsignedByte(offset + AFLAGS_OFFSET);
    }

    public AtaFlyweight aflags(int value) {
        buffer.setByte(offset + AFLAGS_OFFSET, value);
        return this;
    }

    public boolean extended() {
        return (aflags() & FLAG_EXTENDED) != 0;
    }

    public boolean write() {
        return (aflags() & FLAG_WRITE) != 0;
    }

    public int errFeature() {
        return buffer.getUnsignedByte(offset + ERR_FEATURE_OFFSET);
    }

    public AtaFlyweight errFeature(int value) {
        buffer.setByte(offset + ERR_FEATURE_OFFSET, value);
        return this;
    }

    public int sectorCount() {
        return buffer.getUnsignedByte(offset + SECTOR_COUNT_OFFSET);
    }

    public AtaFlyweight sectorCount(int value) {
        buffer.setByte(offset + SECTOR_COUNT_OFFSET, value);
        return this;
    }

    public int cmdStatus() {
        return buffer.getUnsignedByte(offset + CMD_STATUS_OFFSET);
    }

    public AtaFlyweight cmdStatus(int value) {
        buffer.setByte(offset + CMD_STATUS_OFFSET, value);
        return this;
    }

    /** All 48 bits of the LBA field as sent. */
    public long lba() {
        return readLba(buffer, offset + LBA_OFFSET);
    }

    /** Sets the 48-bit LBA and clears the reserved bytes after it. */
    public AtaFlyweight lba(long value) {
        buffer.setIntLE(offset + LBA_OFFSET, (int) value);
        buffer.setShortLE(offset + LBA_OFFSET + 4, (int) (value >>> 32));
        buffer.setShort(offset + RESERVED_OFFSET, 0);
        return this;
    }

    /** The LBA of a 28-bit command, with the device bits of lba3 removed. */
    public long lba28() {
        return lba() & LBA28_MASK;
    }

    /** The address the command means: all 48 bits for extended commands, 28 otherwise. */
    public long effectiveLba() {
        return extended() ? lba() : lba28();
    }

    /** Where the data starts in the buffer. */
    public int dataIndex() {
        return offset + DATA_OFFSET;
    }

    /**
     * Writes the argument's registers at once: flags, error/feature, sector count, command/status, LBA,
     * zero reserved bytes.
     */
    public AtaFlyweight registers(int aflags, int errFeature, int sectorCount, int cmdStatus, long lba) {
        return aflags(aflags).errFeature(errFeature).sectorCount(sectorCount).cmdStatus(cmdStatus).lba(lba);
    }

    // Static peeks at a received frame, which starts at the reader index; the caller checked the length.

    public static int aflags(ByteBuf frame) {
        return frame.getUnsignedByte(frame.readerIndex() + AFLAGS_OFFSET);
    }

    public static int errFeature(ByteBuf frame) {
        return frame.getUnsignedByte(frame.readerIndex() + ERR_FEATURE_OFFSET);
    }

    public static int sectorCount(ByteBuf frame) {
        return frame.getUnsignedByte(frame.readerIndex() + SECTOR_COUNT_OFFSET);
    }

    public static int cmdStatus(ByteBuf frame) {
        return frame.getUnsignedByte(frame.readerIndex() + CMD_STATUS_OFFSET);
    }

    /** All 48 bits of a received frame's LBA field, as sent. */
    public static long lba(ByteBuf frame) {
        return readLba(frame, frame.readerIndex() + LBA_OFFSET);
    }

    /** The LBA a received request means: 48 bits when extended, else 28 with the device bits removed. */
    public static long effectiveLba(ByteBuf frame) {
        long lba = lba(frame);
        return (aflags(frame) & FLAG_EXTENDED) != 0 ? lba : lba & LBA28_MASK;
    }

    private static long readLba(ByteBuf buf, int index) {
        return buf.getUnsignedIntLE(index) | ((long) buf.getUnsignedShortLE(index + 4) << 32);
    }

    /** True when the readable bytes hold the headers and the ATA registers. */
    public static boolean hasRegisters(ByteBuf frame) {
        return frame.readableBytes() >= DATA_OFFSET;
    }

    @Override
    public String toString() {
        return super.toString() + String.format(" ATA aflags=0x%02x err/feature=0x%02x scnt=%d cmd/status=0x%02x lba=%d",
                aflags(), errFeature(), sectorCount(), cmdStatus(), lba());
    }
}
