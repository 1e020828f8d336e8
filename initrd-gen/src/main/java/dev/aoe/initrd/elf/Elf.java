package dev.aoe.initrd.elf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Just enough ELF (64- and 32-bit, either byte order) for an initramfs builder: whether a program
 * needs a dynamic loader (PT_INTERP) and the strings of a kernel module's {@code .modinfo} section.
 */
public final class Elf {

    private static final int PT_INTERP = 3;

    private final ByteBuffer b;
    private final boolean is64;

    private Elf(byte[] bytes, String what) throws IOException {
        if (bytes.length < 52 || bytes[0] != 0x7F || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F') {
            throw new IOException(what + " is not an ELF file");
        }
        this.is64 = bytes[4] == 2;
        this.b = ByteBuffer.wrap(bytes).order(bytes[5] == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    }

    public static Elf parse(byte[] bytes, String what) throws IOException {
        return new Elf(bytes, what);
    }

    private long word(int offset) {
        return is64 ? b.getLong(offset) : Integer.toUnsignedLong(b.getInt(offset));
    }

    /** True when the program asks for a dynamic loader, so it cannot run alone in an initramfs. */
    public boolean dynamic() {
        long phoff = word(is64 ? 0x20 : 0x1C);
        int phentsize = b.getShort(is64 ? 0x36 : 0x2A) & 0xFFFF;
        int phnum = b.getShort(is64 ? 0x38 : 0x2C) & 0xFFFF;
        for (int i = 0; i < phnum; i++) {
            int at = (int) (phoff + (long) i * phentsize);
            if (at + 4 <= b.capacity() && b.getInt(at) == PT_INTERP) {
                return true;
            }
        }
        return false;
    }

    /** The NUL-separated key=value strings of the named section, or an empty list when there is none. */
    public List<String> sectionStrings(String name) {
        long shoff = word(is64 ? 0x28 : 0x20);
        int shentsize = b.getShort(is64 ? 0x3A : 0x2E) & 0xFFFF;
        int shnum = b.getShort(is64 ? 0x3C : 0x30) & 0xFFFF;
        int shstrndx = b.getShort(is64 ? 0x3E : 0x32) & 0xFFFF;
        if (shoff == 0 || shstrndx >= shnum) {
            return List.of();
        }
        long names = offsetOf((int) (shoff + (long) shstrndx * shentsize));
        for (int i = 0; i < shnum; i++) {
            int sh = (int) (shoff + (long) i * shentsize);
            String sectionName = cString((int) (names + Integer.toUnsignedLong(b.getInt(sh))));
            if (sectionName.equals(name)) {
                return strings((int) offsetOf(sh), (int) sizeOf(sh));
            }
        }
        return List.of();
    }

    private long offsetOf(int sh) {
        return word(sh + (is64 ? 0x18 : 0x10));
    }

    private long sizeOf(int sh) {
        return word(sh + (is64 ? 0x20 : 0x14));
    }

    private String cString(int at) {
        int end = at;
        while (end < b.capacity() && b.get(end) != 0) {
            end++;
        }
        return new String(b.array(), at, end - at, StandardCharsets.ISO_8859_1);
    }

    private List<String> strings(int at, int length) {
        List<String> list = new ArrayList<>();
        int start = at;
        for (int i = at; i < at + length && i < b.capacity(); i++) {
            if (b.get(i) == 0) {
                if (i > start) {
                    list.add(new String(b.array(), start, i - start, StandardCharsets.ISO_8859_1));
                }
                start = i + 1;
            }
        }
        return list;
    }
}
