package dev.aoe.initrd.cpio;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads a newc archive back (for {@code --list} and the tests); stops at the trailer. */
public final class NewcReader {

    private NewcReader() {
    }

    public static List<CpioEntry> readAll(InputStream in) throws IOException {
        List<CpioEntry> entries = new ArrayList<>();
        long[] position = {0};
        while (true) {
            byte[] header = read(in, NewcWriter.HEADER_LENGTH, position);
            String magic = new String(header, 0, 6, StandardCharsets.US_ASCII);
            if (!magic.equals(NewcWriter.MAGIC) && !magic.equals("070702")) {
                throw new IOException("not a newc cpio archive: magic '" + magic + "' at byte " + (position[0] - 110));
            }
            long[] f = new long[13];
            for (int i = 0; i < 13; i++) {
                f[i] = Long.parseLong(new String(header, 6 + 8 * i, 8, StandardCharsets.US_ASCII), 16);
            }
            byte[] name = read(in, (int) f[11], position);
            skipPad(in, position);
            byte[] data = read(in, (int) f[6], position);
            skipPad(in, position);
            String path = new String(name, 0, name.length - 1, StandardCharsets.UTF_8);
            if (path.equals(NewcWriter.TRAILER)) {
                return entries;
            }
            int mode = (int) f[1];
            entries.add(new CpioEntry(path, CpioEntry.Type.ofMode(mode), mode & 07777, data, (int) f[9], (int) f[10]));
        }
    }

    private static byte[] read(InputStream in, int n, long[] position) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) {
            throw new EOFException("cpio archive ends inside a record at byte " + (position[0] + b.length));
        }
        position[0] += n;
        return b;
    }

    private static void skipPad(InputStream in, long[] position) throws IOException {
        while (position[0] % 4 != 0) {
            if (in.read() < 0) {
                throw new EOFException("cpio archive ends inside padding");
            }
            position[0]++;
        }
    }
}
