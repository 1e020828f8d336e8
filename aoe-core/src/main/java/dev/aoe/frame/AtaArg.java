package dev.aoe.frame;

import io.netty.buffer.ByteBuf;

/**
 * Issue ATA Command argument (AoEr11 §3.1): the registers and the data, laid out by
 * {@link AtaFlyweight} (the byte diagram is there). For LBA28 commands initiators put the ATA device
 * register in lba3's high nibble (Linux sends 0xE0); {@link #lba28()} masks it away.
 */
public record AtaArg(int aflags, int errFeature, int sectorCount, int cmdStatus, long lba, Octets data)
        implements Arg {

    public AtaArg {
        AoeHeader.check("aflags", aflags, 0xFF);
        AoeHeader.check("err/feature", errFeature, 0xFF);
        AoeHeader.check("sector count", sectorCount, 0xFF);
        AoeHeader.check("cmd/status", cmdStatus, 0xFF);
        AoeHeader.check("lba", lba, AtaFlyweight.MAX_LBA48);
        if (data == null) {
            throw new IllegalArgumentException("data must not be null (use Octets.EMPTY)");
        }
    }

    /** A request without data: reads, IDENTIFY, FLUSH, CHECK POWER MODE. */
    public static AtaArg command(int ataCommand, boolean extended, long lba, int sectorCount) {
        return new AtaArg(extended ? AtaFlyweight.FLAG_EXTENDED : 0, 0, sectorCount, ataCommand, lba, Octets.EMPTY);
    }

    /** A write request carrying {@code data.length()/512} sectors. */
    public static AtaArg write(int ataCommand, boolean extended, boolean async, long lba, Octets data) {
        int flags = AtaFlyweight.FLAG_WRITE | (extended ? AtaFlyweight.FLAG_EXTENDED : 0)
                | (async ? AtaFlyweight.FLAG_ASYNC : 0);
        return new AtaArg(flags, 0, data.length() / AtaFlyweight.SECTOR_SIZE, ataCommand, lba, data);
    }

    public boolean extended() {
        return (aflags & AtaFlyweight.FLAG_EXTENDED) != 0;
    }

    public boolean device() {
        return (aflags & AtaFlyweight.FLAG_DEVICE) != 0;
    }

    public boolean async() {
        return (aflags & AtaFlyweight.FLAG_ASYNC) != 0;
    }

    public boolean write() {
        return (aflags & AtaFlyweight.FLAG_WRITE) != 0;
    }

    /** The LBA of a 28-bit command, with the device bits of lba3 removed. */
    public long lba28() {
        return lba & AtaFlyweight.LBA28_MASK;
    }

    /** The address the command means: all 48 bits for extended commands, 28 otherwise. */
    public long effectiveLba() {
        return extended() ? lba : lba28();
    }

    @Override
    public int encodedLength() {
        return AtaFlyweight.ARG_LENGTH + data.length();
    }

    @Override
    public void encode(ByteBuf frame, int frameOffset) {
        AtaFlyweight f = new AtaFlyweight().wrap(frame, frameOffset);
        f.registers(aflags, errFeature, sectorCount, cmdStatus, lba);
        data.setTo(frame, f.dataIndex());
    }

    /**
     * Data length rules: a write request carries exactly {@code sectorCount*512} bytes (more is padding,
     * fewer is a bad argument); a read response carries whole sectors, as many as the frame holds,
     * since its sector count is the residue and says nothing about the data. Nothing else has data.
     */
    static AtaArg decode(ByteBuf frame, boolean response) {
        Bounds.require(frame, "ATA argument", AtaFlyweight.ARG_OFFSET, AtaFlyweight.ARG_LENGTH);
        AtaFlyweight f = new AtaFlyweight().wrap(frame, 0);
        int sectors = f.sectorCount();
        int dataLength;
        if (f.write()) {
            dataLength = response ? 0 : sectors * AtaFlyweight.SECTOR_SIZE;
            Bounds.require(frame, "ATA write data (" + sectors + " sectors)", AtaFlyweight.DATA_OFFSET, dataLength);
        } else {
            dataLength = response ? (frame.capacity() - AtaFlyweight.DATA_OFFSET) / AtaFlyweight.SECTOR_SIZE
                    * AtaFlyweight.SECTOR_SIZE : 0;
        }
        return new AtaArg(f.aflags(), f.errFeature(), sectors, f.cmdStatus(), f.lba(),
                Octets.read(frame, f.dataIndex(), dataLength));
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
