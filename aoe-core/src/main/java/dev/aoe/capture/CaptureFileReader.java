package dev.aoe.capture;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads Ethernet frames from a classic pcap file (either byte order, micro- or nanosecond) or a
 * pcapng file (what tshark and dumpcap write by default), one record at a time.
 */
public final class CaptureFileReader implements AutoCloseable {

    private static final int PCAP_MAGIC_NANOS = 0xA1B23C4D;
    private static final int PCAPNG_SECTION = 0x0A0D0D0A;
    private static final int PCAPNG_BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    private static final int PCAPNG_INTERFACE = 1;
    private static final int PCAPNG_SIMPLE_PACKET = 3;
    private static final int PCAPNG_ENHANCED_PACKET = 6;
    private static final int OPTION_TS_RESOLUTION = 9;
    private static final int MAX_RECORD = 1 << 24;

    private final InputStream in;
    private final boolean pcapng;
    private ByteOrder order;
    private long ticksPerSecond;
    private final List<Long> interfaceTicks = new ArrayList<>();

    private CaptureFileReader(InputStream in) throws IOException {
        this.in = in;
        byte[] magic = readFully(4, "file header");
        int big = ByteBuffer.wrap(magic).order(ByteOrder.BIG_ENDIAN).getInt();
        int little = ByteBuffer.wrap(magic).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (big == PCAPNG_SECTION) {
            pcapng = true;
            readSectionHeaderRest();
        } else {
            pcapng = false;
            if (little == PcapFileWriter.MAGIC_MICROS || little == PCAP_MAGIC_NANOS) {
                order = ByteOrder.LITTLE_ENDIAN;
            } else if (big == PcapFileWriter.MAGIC_MICROS || big == PCAP_MAGIC_NANOS) {
                order = ByteOrder.BIG_ENDIAN;
            } else {
                throw new CaptureFormatException(String.format("not a pcap or pcapng file (magic %08x)", big));
            }
            int m = (order == ByteOrder.LITTLE_ENDIAN) ? little : big;
            ticksPerSecond = m == PCAP_MAGIC_NANOS ? 1_000_000_000L : 1_000_000L;
            ByteBuffer rest = ByteBuffer.wrap(readFully(20, "file header")).order(order);
            int linkType = rest.getInt(16);
            if (linkType != PcapFileWriter.LINKTYPE_ETHERNET) {
                throw new CaptureFormatException("link type " + linkType + " is not Ethernet (1); capture with -i IFACE, not -i any");
            }
        }
    }

    public static CaptureFileReader open(Path file) throws IOException {
        return new CaptureFileReader(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
    }

    public static CaptureFileReader open(InputStream stream) throws IOException {
        return new CaptureFileReader(new BufferedInputStream(stream));
    }

    /** The next frame, or null at the end of the file. */
    public CapturedFrame next() throws IOException {
        return pcapng ? nextBlock() : nextRecord();
    }

    private CapturedFrame nextRecord() throws IOException {
        byte[] head = in.readNBytes(16);
        if (head.length == 0) {
            return null;
        }
        if (head.length < 16) {
            throw new CaptureFormatException("capture ends inside a record header");
        }
        ByteBuffer h = ByteBuffer.wrap(head).order(order);
        long seconds = Integer.toUnsignedLong(h.getInt());
        long fraction = Integer.toUnsignedLong(h.getInt());
        int captured = checkLength(h.getInt());
        int original = h.getInt();
        byte[] data = readFully(captured, "record data");
        return new CapturedFrame(instant(seconds * ticksPerSecond + fraction, ticksPerSecond), data, original);
    }

    private CapturedFrame nextBlock() throws IOException {
        while (true) {
            byte[] head = in.readNBytes(8);
            if (head.length == 0) {
                return null;
            }
            if (head.length < 8) {
                throw new CaptureFormatException("capture ends inside a block header");
            }
            ByteBuffer h = ByteBuffer.wrap(head).order(order);
            int type = h.getInt();
            if (type == PCAPNG_SECTION) {
                readSectionHeaderRest(head);
                continue;
            }
            int total = checkLength(h.getInt());
            if (total < 12 || total % 4 != 0) {
                throw new CaptureFormatException("pcapng block of bad length " + total);
            }
            ByteBuffer body = ByteBuffer.wrap(readFully(total - 8, "block body")).order(order);
            switch (type) {
                case PCAPNG_INTERFACE -> interfaceTicks.add(interfaceResolution(body, total - 12));
                case PCAPNG_ENHANCED_PACKET -> {
                    int iface = body.getInt(0);
                    long ts = (Integer.toUnsignedLong(body.getInt(4)) << 32) | Integer.toUnsignedLong(body.getInt(8));
                    int captured = checkLength(body.getInt(12));
                    int original = body.getInt(16);
                    if (20 + captured > total - 12) {
                        throw new CaptureFormatException("pcapng packet longer than its block");
                    }
                    byte[] data = new byte[captured];
                    body.get(20, data);
                    long ticks = iface < interfaceTicks.size() ? interfaceTicks.get(iface) : 1_000_000L;
                    return new CapturedFrame(instant(ts, ticks), data, original);
                }
                case PCAPNG_SIMPLE_PACKET -> {
                    int original = body.getInt(0);
                    int captured = Math.min(original, total - 16);
                    byte[] data = new byte[Math.max(captured, 0)];
                    body.get(4, data);
                    return new CapturedFrame(Instant.EPOCH, data, original);
                }
                default -> {
                    // statistics, name resolution and custom blocks carry no frames
                }
            }
        }
    }

    private void readSectionHeaderRest() throws IOException {
        readSectionHeaderRest(null);
    }

    /** Reads a section header after its type (and, when {@code head} is given, its length field). */
    private void readSectionHeaderRest(byte[] head) throws IOException {
        byte[] lengthAndMagic = head == null ? readFully(8, "section header")
                : concat(slice(head, 4, 4), readFully(4, "section header"));
        int magic = ByteBuffer.wrap(lengthAndMagic, 4, 4).order(ByteOrder.BIG_ENDIAN).getInt();
        order = magic == PCAPNG_BYTE_ORDER_MAGIC ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        if (ByteBuffer.wrap(lengthAndMagic, 4, 4).order(order).getInt() != PCAPNG_BYTE_ORDER_MAGIC) {
            throw new CaptureFormatException("pcapng section header without byte-order magic");
        }
        int total = checkLength(ByteBuffer.wrap(lengthAndMagic, 0, 4).order(order).getInt());
        if (total < 28) {
            throw new CaptureFormatException("pcapng section header of bad length " + total);
        }
        readFully(total - 12, "section header");
        interfaceTicks.clear();
    }

    private long interfaceResolution(ByteBuffer body, int bodyLength) throws CaptureFormatException {
        int linkType = body.getShort(0) & 0xFFFF;
        if (linkType != PcapFileWriter.LINKTYPE_ETHERNET) {
            throw new CaptureFormatException("interface link type " + linkType + " is not Ethernet (1)");
        }
        int at = 8;
        while (at + 4 <= bodyLength) {
            int code = body.getShort(at) & 0xFFFF;
            int length = body.getShort(at + 2) & 0xFFFF;
            if (code == 0) {
                break;
            }
            if (code == OPTION_TS_RESOLUTION && length >= 1 && at + 5 <= bodyLength) {
                int r = body.get(at + 4) & 0xFF;
                long ticks = 1;
                for (int i = 0; i < (r & 0x7F); i++) {
                    ticks *= (r & 0x80) != 0 ? 2 : 10;
                }
                return ticks;
            }
            at += 4 + ((length + 3) & ~3);
        }
        return 1_000_000L;
    }

    private static Instant instant(long ticks, long ticksPerSecond) {
        long seconds = Long.divideUnsigned(ticks, ticksPerSecond);
        long rest = Long.remainderUnsigned(ticks, ticksPerSecond);
        return Instant.ofEpochSecond(seconds, rest * 1_000_000_000L / ticksPerSecond);
    }

    private static int checkLength(int length) throws CaptureFormatException {
        if (length < 0 || length > MAX_RECORD) {
            throw new CaptureFormatException("record length " + Integer.toUnsignedString(length) + " is implausible");
        }
        return length;
    }

    private byte[] readFully(int length, String what) throws IOException {
        byte[] b = in.readNBytes(length);
        if (b.length < length) {
            throw new CaptureFormatException("capture ends inside the " + what);
        }
        return b;
    }

    private static byte[] slice(byte[] b, int from, int length) {
        byte[] s = new byte[length];
        System.arraycopy(b, from, s, 0, length);
        return s;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** Convenience for tests and small files. */
    public static List<CapturedFrame> readAll(Path file) throws IOException {
        List<CapturedFrame> frames = new ArrayList<>();
        try (CaptureFileReader reader = open(file)) {
            for (CapturedFrame f = reader.next(); f != null; f = reader.next()) {
                frames.add(f);
            }
        }
        return frames;
    }

}
