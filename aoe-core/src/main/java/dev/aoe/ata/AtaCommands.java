package dev.aoe.ata;

/** The ATA command opcodes AoE initiators send (ATA8-ACS), and the register bits they check. */
public final class AtaCommands {

    public static final int READ_SECTORS = 0x20;
    public static final int READ_SECTORS_EXT = 0x24;
    public static final int WRITE_SECTORS = 0x30;
    public static final int WRITE_SECTORS_EXT = 0x34;
    public static final int SMART = 0xB0;
    public static final int CHECK_POWER_MODE = 0xE5;
    public static final int FLUSH_CACHE = 0xE7;
    public static final int IDENTIFY_DEVICE = 0xEC;
    public static final int FLUSH_CACHE_EXT = 0xEA;

    /** Status register: device ready; the success value. */
    public static final int STATUS_DRDY = 0x40;
    /** Status register: error, details in the error register. */
    public static final int STATUS_ERR = 0x01;
    /** Status register bits Linux treats as failure: BSY, DF, DRQ, ERR. */
    public static final int STATUS_FAILURE_MASK = 0xA9;

    /** Error register: command aborted (unsupported opcode). */
    public static final int ERROR_ABRT = 0x04;
    /** Error register: address not found (out of range). */
    public static final int ERROR_IDNF = 0x10;
    /** Error register: uncorrectable data (media error). */
    public static final int ERROR_UNC = 0x40;

    /** CHECK POWER MODE's sector count reply for an active or idle device. */
    public static final int POWER_MODE_ACTIVE = 0xFF;

    private AtaCommands() {
    }

    public static String name(int opcode) {
        return switch (opcode) {
            case READ_SECTORS -> "READ SECTORS";
            case READ_SECTORS_EXT -> "READ SECTORS EXT";
            case WRITE_SECTORS -> "WRITE SECTORS";
            case WRITE_SECTORS_EXT -> "WRITE SECTORS EXT";
            case SMART -> "SMART";
            case CHECK_POWER_MODE -> "CHECK POWER MODE";
            case FLUSH_CACHE -> "FLUSH CACHE";
            case FLUSH_CACHE_EXT -> "FLUSH CACHE EXT";
            case IDENTIFY_DEVICE -> "IDENTIFY DEVICE";
            default -> String.format("0x%02x", opcode);
        };
    }
}
