package dev.aoe.frame;

import io.netty.buffer.ByteBuf;

/**
 * Issue ATA Command argument (AoEr11 §3.1), after the AoE header.
 * <pre>
 *  +0  aflags       0 E 0 D 0 0 A W   E 0x40 LBA48, D 0x10 device, A 0x02 async write, W 0x01 write
 *  +1  err/feature  feature in a request, error register in a response
 *  +2  sector count sectors to transfer; in a response, sectors not transferred
 *  +3  cmd/status   ATA command in a request, status register in a response
 *  +4  lba0..lba5   48-bit LBA, little-endian (the only little-endian field in AoE)
 *  +10 reserved[2]
 *  +12 data         write request: sectorCount*512 bytes; read response: the sectors read
 * </pre>
 * For LBA28 commands initiators put the ATA device register in lba3's high nibble (Linux sends 0xE0);
 * {@link #lba28()} masks it away.
 */
public record AtaArg(int aflags, int errFeature, int sectorCount, int cmdStatus, long lba, Octets data)
        implements Arg {

    public static final int AFLAGS_OFFSET = 0;
    public static final int ERR_FEATURE_OFFSET = 1;
    public static final int SECTOR_COUNT_OFFSET = 2;
    public static final int CMD_STATUS_OFFSET = 3;
    public static final int LBA_OFFSET = 4;
    public static final int DATA_OFFSET = 12;
    public static final int LENGTH = DATA_OFFSET;

    public static final int FLAG_EXTENDED = 0x40;
    public static final int FLAG_DEVICE = 0x10;
    public static final int FLAG_ASYNC = 0x02;
    public static final int FLAG_WRITE = 0x01;

    public static final int SECTOR_SIZE = 512;
    public static final long MAX_LBA48 = (1L << 48) - 1;
    public static final long LBA28_MASK = 0x0FFF_FFFFL;

    public AtaArg {
        AoeHeader.check("aflags", aflags, 0xFF);
        AoeHeader.check("err/feature", errFeature, 0xFF);
        AoeHeader.check("sector count", sectorCount, 0xFF);
        AoeHeader.check("cmd/status", cmdStatus, 0xFF);
        AoeHeader.check("lba", lba, MAX_LBA48);
        if (data == null) {
            throw new IllegalArgumentException("data must not be null (use Octets.EMPTY)");
        }
    }

    /** A request without data: reads, IDENTIFY, FLUSH, CHECK POWER MODE. */
    public static AtaArg command(int ataCommand, boolean extended, long lba, int sectorCount) {
        return new AtaArg(extended ? FLAG_EXTENDED : 0, 0, sectorCount, ataCommand, lba, Octets.EMPTY);
    }

    /** A write request carrying {@code data.length()/512} sectors. */
    public static AtaArg write(int ataCommand, boolean extended, boolean async, long lba, Octets data) {
        int flags = FLAG_WRITE | (extended ? FLAG_EXTENDED : 0) | (async ? FLAG_ASYNC : 0);
        return new AtaArg(flags, 0, data.length() / SECTOR_SIZE, ataCommand, lba, data);
    }

    public boolean extended() {
        return (aflags & FLAG_EXTENDED) != 0;
    }

    public boolean device() {
        return (aflags & FLAG_DEVICE) != 0;
    }

    public boolean async() {
        return (aflags & FLAG_ASYNC) != 0;
    }

    public boolean write() {
        return (aflags & FLAG_WRITE) != 0;
    }

    /** The LBA of a 28-bit command, with the device bits of lba3 removed. */
    public long lba28() {
        return lba & LBA28_MASK;
    }

    /** The address the command means: all 48 bits for extended commands, 28 otherwise. */
    public long effectiveLba() {
        return extended() ? lba : lba28();
    }

    @Override
    public int encodedLength() {
        return LENGTH + data.length();
    }

    @Override
    public void encode(ByteBuf out) {
        out.writeByte(aflags).writeByte(errFeature).writeByte(sectorCount).writeByte(cmdStatus);
        writeLba(out, lba);
        out.writeShort(0);
        data.writeTo(out);
    }

    static void writeLba(ByteBuf out, long lba) {
        out.writeIntLE((int) lba).writeShortLE((int) (lba >>> 32));
    }

    /** Reads the 48-bit little-endian LBA at a frame offset without allocating. */
    public static long readLba(ByteBuf frame, int lbaIndex) {
        return frame.getUnsignedIntLE(lbaIndex) | ((long) frame.getUnsignedShortLE(lbaIndex + 4) << 32);
    }

    /**
     * Data length rules: a write request carries exactly {@code sectorCount*512} bytes (more is padding,
     * fewer is a bad argument); a read response carries whole sectors, as many as the frame holds,
     * since its sector count is the residue and says nothing about the data. Nothing else has data.
     */
    static AtaArg decode(ByteBuf frame, boolean response) {
        int arg = AoeHeaderView.ARG_OFFSET;
        Bounds.require(frame, "ATA argument", arg, LENGTH);
        int aflags = frame.getUnsignedByte(arg + AFLAGS_OFFSET);
        int sectors = frame.getUnsignedByte(arg + SECTOR_COUNT_OFFSET);
        int dataIndex = arg + DATA_OFFSET;
        int dataLength;
        if ((aflags & FLAG_WRITE) != 0) {
            dataLength = response ? 0 : sectors * SECTOR_SIZE;
            Bounds.require(frame, "ATA write data (" + sectors + " sectors)", dataIndex, dataLength);
        } else {
            dataLength = response ? (frame.capacity() - dataIndex) / SECTOR_SIZE * SECTOR_SIZE : 0;
        }
        return new AtaArg(aflags,
                frame.getUnsignedByte(arg + ERR_FEATURE_OFFSET),
                sectors,
                frame.getUnsignedByte(arg + CMD_STATUS_OFFSET),
                readLba(frame, arg + LBA_OFFSET),
                Octets.read(frame, dataIndex, dataLength));
    }

    @Override
    public String toString() {
        return "ATA aflags=" + flagString() + " feature/err=0x" + Integer.toHexString(errFeature)
                + " scnt=" + sectorCount + " cmd/status=0x" + Integer.toHexString(cmdStatus)
                + " lba=" + lba + (extended() ? "" : " lba28=" + lba28()) + " data=" + data.length() + "B";
    }

    private String flagString() {
        String s = (extended() ? "E" : "") + (device() ? "D" : "") + (async() ? "A" : "") + (write() ? "W" : "");
        return s.isEmpty() ? "-" : s;
    }
}
