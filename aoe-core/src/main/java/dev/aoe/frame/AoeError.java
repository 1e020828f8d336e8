package dev.aoe.frame;

/** The Error field of the AoE header, meaningful when the E flag is set (AoEr11 §2.4). Only 1-6 are defined. */
public enum AoeError implements WireCode {
    UNRECOGNIZED_COMMAND(1),
    BAD_ARGUMENT(2),
    DEVICE_UNAVAILABLE(3),
    CONFIG_STRING_PRESENT(4),
    UNSUPPORTED_VERSION(5),
    TARGET_RESERVED(6);

    private final int code;

    AoeError(int code) {
        this.code = code;
    }

    @Override
    public int code() {
        return code;
    }

    public static String describe(int code) {
        return WireCode.describe(AoeError.class, code);
    }
}
