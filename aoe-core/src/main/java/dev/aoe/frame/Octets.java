package dev.aoe.frame;

import com.google.common.io.BaseEncoding;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** An immutable byte sequence with value equality, for payloads inside the frame records. */
public final class Octets {

    public static final Octets EMPTY = new Octets(new byte[0]);
    private static final int SHOWN_BYTES = 16;

    private final byte[] bytes;

    private Octets(byte[] bytes) {
        this.bytes = bytes;
    }

    public static Octets copyOf(byte[] bytes) {
        return bytes.length == 0 ? EMPTY : new Octets(bytes.clone());
    }

    public static Octets ascii(String text) {
        return copyOf(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Copies {@code length} bytes at an absolute index without moving the buffer's indexes. */
    public static Octets read(ByteBuf buf, int index, int length) {
        if (length == 0) {
            return EMPTY;
        }
        byte[] b = new byte[length];
        buf.getBytes(index, b);
        return new Octets(b);
    }

    public int length() {
        return bytes.length;
    }

    public byte get(int index) {
        return bytes[index];
    }

    public byte[] toByteArray() {
        return bytes.clone();
    }

    public void writeTo(ByteBuf buf) {
        buf.writeBytes(bytes);
    }

    /** Writes the bytes at an absolute index without moving the buffer's indexes. */
    public void setTo(ByteBuf buf, int index) {
        buf.setBytes(index, bytes);
    }

    public boolean startsWith(Octets prefix) {
        return prefix.bytes.length <= bytes.length
                && Arrays.equals(bytes, 0, prefix.bytes.length, prefix.bytes, 0, prefix.bytes.length);
    }

    /** The bytes as Latin-1 text: config strings are opaque bytes, and this keeps every byte visible. */
    public String toLatin1() {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Octets other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** Hex of the first bytes and the length, so logs stay one line for a 8 KiB payload. */
    @Override
    public String toString() {
        String hex = BaseEncoding.base16().lowerCase().encode(bytes, 0, Math.min(bytes.length, SHOWN_BYTES));
        return bytes.length > SHOWN_BYTES ? hex + "...(" + bytes.length + " bytes)" : hex;
    }
}
