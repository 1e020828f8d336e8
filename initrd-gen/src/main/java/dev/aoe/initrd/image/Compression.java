package dev.aoe.initrd.image;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZInputStream;
import org.tukaani.xz.XZOutputStream;

/**
 * How the archive is compressed. Every choice is deterministic (gzip without a name or time, xz and
 * zstd single-threaded) and one the kernel unpacks: xz uses CRC32, the only check besides none that
 * the kernel's XZ Embedded knows.
 */
public enum Compression {
    GZIP, XZ, ZSTD, NONE;

    public OutputStream wrap(OutputStream out) throws IOException {
        return switch (this) {
            case GZIP -> new GZIPOutputStream(out, 1 << 16) {
                {
                    def.setLevel(9);
                }
            };
            case XZ -> new XZOutputStream(out, new LZMA2Options(LZMA2Options.PRESET_DEFAULT), org.tukaani.xz.XZ.CHECK_CRC32);
            case ZSTD -> new ZstdOutputStream(out, 19);
            case NONE -> out;
        };
    }

    /** Recognises the compression of an image or module by its magic bytes, as the kernel does. */
    public static Compression detect(byte[] head) {
        if (head.length >= 2 && (head[0] & 0xFF) == 0x1F && (head[1] & 0xFF) == 0x8B) {
            return GZIP;
        }
        if (head.length >= 6 && (head[0] & 0xFF) == 0xFD && head[1] == '7' && head[2] == 'z' && head[3] == 'X') {
            return XZ;
        }
        if (head.length >= 4 && (head[0] & 0xFF) == 0x28 && (head[1] & 0xFF) == 0xB5 && (head[2] & 0xFF) == 0x2F
                && (head[3] & 0xFF) == 0xFD) {
            return ZSTD;
        }
        return NONE;
    }

    public InputStream unwrap(InputStream in) throws IOException {
        return switch (this) {
            case GZIP -> new GZIPInputStream(in, 1 << 16);
            case XZ -> new XZInputStream(in);
            case ZSTD -> new ZstdInputStream(in);
            case NONE -> in;
        };
    }

    /** Decompresses a whole file's bytes whatever their compression (modules: .ko, .ko.gz, .ko.xz, .ko.zst). */
    public static byte[] inflate(byte[] bytes) throws IOException {
        Compression c = detect(bytes);
        if (c == NONE) {
            return bytes;
        }
        try (InputStream in = c.unwrap(new java.io.ByteArrayInputStream(bytes))) {
            return in.readAllBytes();
        }
    }
}
