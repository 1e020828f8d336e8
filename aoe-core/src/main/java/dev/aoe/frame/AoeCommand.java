package dev.aoe.frame;

/** The Command field of the AoE header (AoEr11 §2). 0xF0-0xFF are vendor-specific; the rest is unassigned. */
public enum AoeCommand implements WireCode {
    ATA(0),
    QUERY_CONFIG(1),
    MAC_MASK_LIST(2),
    RESERVE_RELEASE(3);

    public static final int VENDOR_FIRST = 0xF0;

    private final int code;

    AoeCommand(int code) {
        this.code = code;
    }

    @Override
    public int code() {
        return code;
    }

    public static boolean isVendor(int code) {
        return code >= VENDOR_FIRST && code <= 0xFF;
    }

    public static String describe(int code) {
        return isVendor(code) ? "VENDOR(0x" + Integer.toHexString(code) + ")" : WireCode.describe(AoeCommand.class, code);
    }
}
