package dev.aoe.capture;

import io.netty.buffer.ByteBuf;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;

/**
 * Writes Ethernet frames to a classic libpcap file (microsecond timestamps, LINKTYPE_ETHERNET), the
 * format tshark, tcpdump and {@code aoe decode} read. Thread-safe; every record is written whole.
 */
public final class PcapFileWriter implements AutoCloseable {

    static final int MAGIC_MICROS = 0xA1B2C3D4;
    static final int LINKTYPE_ETHERNET = 1;
    static final int SNAPLEN = 65535;
    private static final int RECORD_HEADER = 16;

    private final OutputStream out;
    private final Clock clock;
    private final ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER).order(ByteOrder.LITTLE_ENDIAN);
    private final byte[] scratch = new byte[SNAPLEN];

    public PcapFileWriter(Path file) throws IOException {
        this(Files.newOutputStream(file), Clock.systemUTC());
    }

    public PcapFileWriter(OutputStream stream, Clock clock) throws IOException {
        this.out = new BufferedOutputStream(stream, 1 << 16);
        this.clock = clock;
        ByteBuffer global = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        global.putInt(MAGIC_MICROS).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                .putInt(SNAPLEN).putInt(LINKTYPE_ETHERNET);
        out.write(global.array());
    }

    /** Appends the frame's readable bytes (not consumed) with the current time. */
    public synchronized void write(ByteBuf frame) {
        write(frame, clock.instant());
    }

    public synchronized void write(ByteBuf frame, Instant when) {
        int length = Math.min(frame.readableBytes(), SNAPLEN);
        frame.getBytes(frame.readerIndex(), scratch, 0, length);
        header.clear();
        header.putInt((int) when.getEpochSecond()).putInt(when.getNano() / 1000).putInt(length)
                .putInt(frame.readableBytes());
        try {
            out.write(header.array());
            out.write(scratch, 0, length);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write capture: " + e.getMessage(), e);
        }
    }

    public synchronized void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        out.close();
    }
}
