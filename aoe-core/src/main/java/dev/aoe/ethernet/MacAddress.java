package dev.aoe.ethernet;

import io.netty.buffer.ByteBuf;
import java.util.Locale;

/** A 48-bit Ethernet address, held in the low bits of a long so it compares and hashes cheaply. */
public record MacAddress(long value) implements Comparable<MacAddress> {

    public static final int LENGTH = 6;
    public static final MacAddress BROADCAST = new MacAddress(0xFFFF_FFFF_FFFFL);
    public static final MacAddress ZERO = new MacAddress(0);

    public MacAddress {
        if ((value & ~0xFFFF_FFFF_FFFFL) != 0) {
            throw new IllegalArgumentException("MAC address wider than 48 bits: " + Long.toHexString(value));
        }
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff} (also with {@code -} separators, or twelve bare hex digits). */
    public static MacAddress parse(String text) {
        String hex = text.trim().replace(":", "").replace("-", "");
        if (hex.length() != 12 || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            throw new IllegalArgumentException("not a MAC address: '" + text + "' (expected aa:bb:cc:dd:ee:ff)");
        }
        return new MacAddress(Long.parseLong(hex, 16));
    }

    public static MacAddress of(byte[] bytes, int offset) {
        long v = 0;
        for (int i = 0; i < LENGTH; i++) {
            v = (v << 8) | (bytes[offset + i] & 0xFF);
        }
        return new MacAddress(v);
    }

    /** Reads six bytes at an absolute index without moving the buffer's indexes. */
    public static MacAddress read(ByteBuf buf, int index) {
        return new MacAddress(bits(buf, index));
    }

    /** The six bytes at an absolute index as a long, without allocating. */
    public static long bits(ByteBuf buf, int index) {
        return ((long) buf.getUnsignedShort(index) << 32) | buf.getUnsignedInt(index + 2);
    }

    /** Writes a MAC held in a long at an absolute index. */
    public static void setBits(ByteBuf buf, int index, long value) {
        buf.setShort(index, (int) (value >>> 32));
        buf.setInt(index + 2, (int) value);
    }

    public void write(ByteBuf buf, int index) {
        setBits(buf, index, value);
    }

    public void writeTo(ByteBuf buf) {
        buf.writeShort((int) (value >>> 32));
        buf.writeInt((int) value);
    }

    public byte[] toBytes() {
        byte[] b = new byte[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            b[i] = (byte) (value >>> (8 * (LENGTH - 1 - i)));
        }
        return b;
    }

    public boolean isBroadcast() {
        return value == BROADCAST.value;
    }

    /** Group (multicast or broadcast) addresses have the low bit of the first octet set. */
    public boolean isMulticast() {
        return isMulticast(value);
    }

    /** {@link #isMulticast()} of a MAC held as its 48-bit value, as frame peeks return it. */
    public static boolean isMulticast(long value) {
        return (value & 0x0100_0000_0000L) != 0;
    }

    @Override
    public int compareTo(MacAddress o) {
        return Long.compare(value, o.value);
    }

    // written out: a record's generated equals and hashCode are bootstrapped on first use, tens of
    // milliseconds at the start of every command (MACs key the tables of paths and clients)
    @Override
    public boolean equals(Object o) {
        return o instanceof MacAddress m && m.value == value;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(value);
    }

    @Override
    public String toString() {
        String hex = String.format(Locale.ROOT, "%012x", value);
        StringBuilder sb = new StringBuilder(17);
        for (int i = 0; i < 12; i += 2) {
            if (i > 0) {
                sb.append(':');
            }
            sb.append(hex, i, i + 2);
        }
        return sb.toString();
    }
}
