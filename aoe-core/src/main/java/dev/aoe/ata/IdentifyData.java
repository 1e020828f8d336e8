package dev.aoe.ata;

import dev.aoe.frame.AoeError;
import dev.aoe.frame.MalformedFrameException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The 512 bytes of IDENTIFY DEVICE data (ATA8-ACS 7.16): 256 little-endian 16-bit words.
 * The words an AoE initiator reads:
 * <pre>
 *  10-19  serial number, 20 chars     49  bit 9 LBA supported
 *  23-26  firmware revision, 8 chars  60-61  LBA28 sector count
 *  27-46  model number, 40 chars      83/86  bit 10 LBA48, bit 12 FLUSH CACHE, bit 13 FLUSH CACHE EXT
 *  84/87  bit 14 set (words valid)    100-103  LBA48 sector count
 * </pre>
 * ATA strings put the first character of each pair in the high byte of the word, padded with spaces.
 */
public final class IdentifyData {

    public static final int LENGTH = 512;
    public static final int WORDS = LENGTH / 2;

    public static final int SERIAL_WORD = 10;
    public static final int SERIAL_CHARS = 20;
    public static final int FIRMWARE_WORD = 23;
    public static final int FIRMWARE_CHARS = 8;
    public static final int MODEL_WORD = 27;
    public static final int MODEL_CHARS = 40;
    public static final int CAPABILITIES_WORD = 49;
    public static final int LBA28_CAPACITY_WORD = 60;
    public static final int COMMAND_SET_SUPPORTED_WORD = 83;
    public static final int COMMAND_SET_EXTENSION_WORD = 84;
    public static final int COMMAND_SET_ENABLED_WORD = 86;
    public static final int COMMAND_SET_DEFAULT_WORD = 87;
    public static final int LBA48_CAPACITY_WORD = 100;

    public static final int CAPABILITY_LBA = 1 << 9;
    public static final int FEATURE_LBA48 = 1 << 10;
    public static final int FEATURE_FLUSH_CACHE = 1 << 12;
    public static final int FEATURE_FLUSH_CACHE_EXT = 1 << 13;
    /** Bit 14 set and bit 15 clear mark words 83, 84 and 87 as valid. */
    public static final int WORD_VALID = 1 << 14;
    public static final long MAX_LBA28_SECTORS = 0x0FFF_FFFFL;

    private final int[] words;

    private IdentifyData(int[] words) {
        this.words = words;
    }

    /** Parses the data of an IDENTIFY response; at least 512 bytes (more is ignored). */
    public static IdentifyData parse(byte[] bytes) {
        if (bytes.length < LENGTH) {
            throw new MalformedFrameException("IDENTIFY data", bytes.length + " bytes, needs " + LENGTH,
                    AoeError.BAD_ARGUMENT);
        }
        int[] w = new int[WORDS];
        for (int i = 0; i < WORDS; i++) {
            w[i] = (bytes[2 * i] & 0xFF) | (bytes[2 * i + 1] & 0xFF) << 8;
        }
        return new IdentifyData(w);
    }

    public static Builder builder() {
        return new Builder();
    }

    public int word(int index) {
        return words[index];
    }

    public byte[] toBytes() {
        byte[] b = new byte[LENGTH];
        for (int i = 0; i < WORDS; i++) {
            b[2 * i] = (byte) words[i];
            b[2 * i + 1] = (byte) (words[i] >>> 8);
        }
        return b;
    }

    public String serial() {
        return readString(SERIAL_WORD, SERIAL_CHARS);
    }

    public String firmware() {
        return readString(FIRMWARE_WORD, FIRMWARE_CHARS);
    }

    public String model() {
        return readString(MODEL_WORD, MODEL_CHARS);
    }

    /** Linux's test: LBA48 when bit 10 is set in the supported or the enabled copy. */
    public boolean lba48() {
        return ((words[COMMAND_SET_SUPPORTED_WORD] | words[COMMAND_SET_ENABLED_WORD]) & FEATURE_LBA48) != 0;
    }

    public boolean flushCache() {
        return validWord(COMMAND_SET_SUPPORTED_WORD) && (words[COMMAND_SET_SUPPORTED_WORD] & FEATURE_FLUSH_CACHE) != 0;
    }

    public boolean flushCacheExt() {
        return validWord(COMMAND_SET_SUPPORTED_WORD)
                && (words[COMMAND_SET_SUPPORTED_WORD] & FEATURE_FLUSH_CACHE_EXT) != 0;
    }

    public long lba28Sectors() {
        return words[LBA28_CAPACITY_WORD] | (long) words[LBA28_CAPACITY_WORD + 1] << 16;
    }

    public long lba48Sectors() {
        long v = 0;
        for (int i = 3; i >= 0; i--) {
            v = (v << 16) | words[LBA48_CAPACITY_WORD + i];
        }
        return v;
    }

    /** The capacity an initiator uses: the LBA48 count when LBA48 is supported, else the LBA28 count. */
    public long capacitySectors() {
        return lba48() ? lba48Sectors() : lba28Sectors();
    }

    private boolean validWord(int index) {
        return (words[index] & 0xC000) == WORD_VALID;
    }

    private String readString(int firstWord, int chars) {
        byte[] b = new byte[chars];
        for (int i = 0; i < chars / 2; i++) {
            b[2 * i] = (byte) (words[firstWord + i] >>> 8);
            b[2 * i + 1] = (byte) words[firstWord + i];
        }
        return new String(b, StandardCharsets.ISO_8859_1).strip();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IdentifyData other && Arrays.equals(words, other.words);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(words);
    }

    @Override
    public String toString() {
        return "IDENTIFY model=\"" + model() + "\" serial=\"" + serial() + "\" firmware=\"" + firmware()
                + "\" sectors=" + capacitySectors() + (lba48() ? " LBA48" : " LBA28")
                + (flushCache() ? " FLUSH" : "") + (flushCacheExt() ? " FLUSH-EXT" : "");
    }

    /** Builds the data a target returns; values as vblade and ggaoed send them, plus FLUSH CACHE EXT. */
    public static final class Builder {
        private String serial = "";
        private String firmware = "";
        private String model = "";
        private long sectors;
        private boolean lba48 = true;
        private boolean flushCache = true;
        private boolean flushCacheExt = true;

        private Builder() {
        }

        public Builder serial(String value) {
            this.serial = value;
            return this;
        }

        public Builder firmware(String value) {
            this.firmware = value;
            return this;
        }

        public Builder model(String value) {
            this.model = value;
            return this;
        }

        public Builder sectors(long value) {
            if (value < 0 || value > (1L << 48)) {
                throw new IllegalArgumentException("sector count " + value + " is outside 0..2^48");
            }
            this.sectors = value;
            return this;
        }

        public Builder lba48(boolean value) {
            this.lba48 = value;
            return this;
        }

        public Builder flushCache(boolean value) {
            this.flushCache = value;
            return this;
        }

        public Builder flushCacheExt(boolean value) {
            this.flushCacheExt = value;
            return this;
        }

        public IdentifyData build() {
            int[] w = new int[WORDS];
            w[0] = 0x0040;                      // fixed device
            long cylinders = Math.min(sectors / (16 * 63), 16383);
            w[1] = (int) cylinders;
            w[3] = 16;
            w[6] = 63;
            writeString(w, SERIAL_WORD, SERIAL_CHARS, serial);
            writeString(w, FIRMWARE_WORD, FIRMWARE_CHARS, firmware);
            writeString(w, MODEL_WORD, MODEL_CHARS, model);
            w[47] = 0x8000;
            w[CAPABILITIES_WORD] = CAPABILITY_LBA;
            w[50] = WORD_VALID;
            long lba28 = Math.min(sectors, MAX_LBA28_SECTORS);
            w[LBA28_CAPACITY_WORD] = (int) (lba28 & 0xFFFF);
            w[LBA28_CAPACITY_WORD + 1] = (int) (lba28 >>> 16);
            int features = (lba48 ? FEATURE_LBA48 : 0) | (flushCache ? FEATURE_FLUSH_CACHE : 0)
                    | (flushCacheExt ? FEATURE_FLUSH_CACHE_EXT : 0);
            w[COMMAND_SET_SUPPORTED_WORD] = WORD_VALID | features;
            w[COMMAND_SET_EXTENSION_WORD] = WORD_VALID;
            w[COMMAND_SET_ENABLED_WORD] = features;
            w[COMMAND_SET_DEFAULT_WORD] = WORD_VALID;
            w[93] = 0x400B;
            if (lba48) {
                for (int i = 0; i < 4; i++) {
                    w[LBA48_CAPACITY_WORD + i] = (int) ((sectors >>> (16 * i)) & 0xFFFF);
                }
            }
            return new IdentifyData(w);
        }

        private static void writeString(int[] w, int firstWord, int chars, String value) {
            byte[] b = Arrays.copyOf(value.getBytes(StandardCharsets.US_ASCII), chars);
            for (int i = value.length(); i < chars; i++) {
                b[i] = ' ';
            }
            for (int i = 0; i < chars / 2; i++) {
                w[firstWord + i] = (b[2 * i] & 0xFF) << 8 | (b[2 * i + 1] & 0xFF);
            }
        }
    }
}
