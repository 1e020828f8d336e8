package dev.aoe.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptureFileTest {

    @TempDir
    Path dir;

    @Test
    void writtenFramesReadBackWithTimestamps() throws IOException {
        Path file = dir.resolve("a.pcap");
        Instant t = Instant.parse("2026-11-25T10:00:00.123456Z");
        try (PcapFileWriter w = new PcapFileWriter(Files.newOutputStream(file), Clock.fixed(t, ZoneOffset.UTC))) {
            w.write(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
            w.write(Unpooled.wrappedBuffer(new byte[1514]));
        }
        List<CapturedFrame> frames = CaptureFileReader.readAll(file);
        assertThat(frames).hasSize(2);
        assertThat(frames.get(0).data()).containsExactly(1, 2, 3);
        assertThat(frames.get(0).timestamp()).isEqualTo(t);
        assertThat(frames.get(1).data()).hasSize(1514);
        assertThat(Files.size(file)).isEqualTo(24 + 16 + 3 + 16 + 1514);
    }

    @Test
    void readsPcapngEnhancedPacketBlocks() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(block(0x0A0D0D0A, le(0x1A2B3C4D), le16(1), le16(0), le64(-1)));
        out.write(block(1, le16(1), le16(0), le(65535), le16(9), le16(1), new byte[] {9, 0, 0, 0}, le(0)));
        byte[] data = {(byte) 0xff, 1, 2, 3, 4, 5};
        long ts = 1_700_000_000_123_456_789L;
        out.write(block(6, le(0), le((int) (ts >>> 32)), le((int) ts), le(data.length), le(data.length),
                new byte[] {(byte) 0xff, 1, 2, 3, 4, 5, 0, 0}));
        Path file = dir.resolve("b.pcapng");
        Files.write(file, out.toByteArray());
        List<CapturedFrame> frames = CaptureFileReader.readAll(file);
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0).data()).containsExactly(data);
        assertThat(frames.get(0).timestamp()).isEqualTo(Instant.ofEpochSecond(1_700_000_000L, 123_456_789));
    }

    @Test
    void rejectsWhatIsNotACapture() throws IOException {
        Path file = dir.resolve("c.txt");
        Files.writeString(file, "hello world, this is no capture file");
        assertThatThrownBy(() -> CaptureFileReader.readAll(file)).isInstanceOf(CaptureFormatException.class)
                .hasMessageContaining("not a pcap or pcapng file");
        Path cut = dir.resolve("d.pcap");
        try (PcapFileWriter w = new PcapFileWriter(cut)) {
            w.write(Unpooled.wrappedBuffer(new byte[100]));
        }
        byte[] b = Files.readAllBytes(cut);
        Files.write(cut, java.util.Arrays.copyOf(b, b.length - 10));
        assertThatThrownBy(() -> CaptureFileReader.readAll(cut)).hasMessageContaining("capture ends inside");
    }

    private static byte[] block(int type, byte[]... body) {
        int length = 12;
        for (byte[] b : body) {
            length += b.length;
        }
        ByteBuffer buf = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(type).putInt(length);
        for (byte[] b : body) {
            buf.put(b);
        }
        buf.putInt(length);
        return buf.array();
    }

    private static byte[] le(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    private static byte[] le16(int v) {
        return ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) v).array();
    }

    private static byte[] le64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }
}
