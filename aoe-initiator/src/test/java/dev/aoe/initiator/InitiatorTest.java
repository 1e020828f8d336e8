package dev.aoe.initiator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aoe.ethernet.MacAddress;
import dev.aoe.frame.AoeCommand;
import dev.aoe.frame.AoeFrame;
import dev.aoe.frame.ConfigArg.Ccmd;
import dev.aoe.frame.ConfigArg;
import dev.aoe.frame.MacMaskArg;
import dev.aoe.frame.Octets;
import dev.aoe.frame.ReserveReleaseArg;
import dev.aoe.initiator.AoeIoException.AoeErrorException;
import dev.aoe.initiator.AoeIoException.DeviceNotFoundException;
import dev.aoe.initiator.AoeIoException.DeviceTimeoutException;
import dev.aoe.link.memory.Faults;
import dev.aoe.link.memory.MemoryLink;
import dev.aoe.target.ExportStats;
import dev.aoe.target.Target;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InitiatorTest {

    static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;
    final Lab lab = new Lab();

    @AfterEach
    void tearDown() throws Exception {
        lab.close();
    }

    @Test
    void discoversEveryTargetWithItsConfig() throws Exception {
        lab.target(0, 1, write("a.img", 64), 1500, 16, 1);
        lab.target(0, 2, write("b.img", 64), 1500, 64, 1);
        try (Initiator initiator = lab.initiator(1500, WAIT)) {
            List<TargetInfo> found = initiator.discover(WAIT, 2);
            assertThat(found).extracting(TargetInfo::address)
                    .containsExactly(new AoeAddress(0, 1), new AoeAddress(0, 2));
            assertThat(found.get(0).bufferCount()).isEqualTo(16);
            assertThat(found.get(1).sectorsPerFrame()).isEqualTo(2);
            assertThat(found.get(0).paths()).hasSize(1);
            assertThat(found.get(0).localInterfaces()).containsExactly("memory:initiator");
        }
    }

    @Test
    void picksUpAnnouncementsWhileRunning() throws Exception {
        try (Initiator initiator = lab.initiator(1500, WAIT)) {
            BlockingQueue<TargetInfo> seen = new LinkedBlockingQueue<>();
            initiator.onTarget(seen::add);
            lab.target(3, 4, write("a.img", 64), 1500, 16, 1);   // announces itself at start
            TargetInfo info = seen.poll(5, TimeUnit.SECONDS);
            assertThat(info).isNotNull();
            assertThat(info.address()).isEqualTo(new AoeAddress(3, 4));
            assertThat(initiator.targets()).extracting(TargetInfo::address).containsExactly(new AoeAddress(3, 4));
        }
    }

    @ParameterizedTest(name = "MTU {0}")
    @ValueSource(ints = {1500, 9000})
    void readsAndWritesSplitIntoFramesOfWhatTheMtuCarries(int mtu) throws Exception {
        Path file = dir.resolve("d.img");
        byte[] image = Lab.image(file, 4096, 1);
        Target target = lab.target(0, 1, file, mtu, 64, 1);
        try (Initiator initiator = lab.initiator(mtu, WAIT)) {
            AoeDevice disk = initiator.open(new AoeAddress(0, 1), WAIT);
            assertThat(disk.sectors()).isEqualTo(4096);
            assertThat(disk.sectorsPerFrame()).isEqualTo(mtu == 1500 ? 2 : 17);
            long before = target.exports().get(0).stats().get(ExportStats.Counter.ATA_READ);
            ByteBuffer buf = ByteBuffer.allocate(34 * 512);
            disk.read(512 * 100, buf);
            assertThat(buf.position()).isEqualTo(buf.capacity());
            assertThat(buf.array()).isEqualTo(Arrays.copyOfRange(image, 512 * 100, 512 * 134));
            assertThat(target.exports().get(0).stats().get(ExportStats.Counter.ATA_READ) - before)
                    .as("frames for 34 sectors").isEqualTo(mtu == 1500 ? 17 : 2);
            byte[] data = new byte[64 * 512];
            new Random(2).nextBytes(data);
            disk.write(512 * 1000, ByteBuffer.wrap(data));
            assertThat(Arrays.copyOfRange(Files.readAllBytes(file), 512 * 1000, 512 * 1064)).isEqualTo(data);
        }
    }

    @Test
    void unalignedRangesReadModifyWrite() throws Exception {
        Path file = dir.resolve("d.img");
        byte[] image = Lab.image(file, 64, 3);
        lab.target(0, 1, file, 1500, 64, 1);
        try (Initiator initiator = lab.initiator(1500, WAIT)) {
            AoeDevice disk = initiator.open(new AoeAddress(0, 1), WAIT);
            byte[] part = new byte[777];
            disk.read(1000, part, 0, part.length);
            assertThat(part).isEqualTo(Arrays.copyOfRange(image, 1000, 1777));
            byte[] patch = new byte[1300];
            Arrays.fill(patch, (byte) 0x3C);
            disk.write(700, patch, 0, patch.length);
            byte[] expected = image.clone();
            System.arraycopy(patch, 0, expected, 700, patch.length);
            assertThat(Files.readAllBytes(file)).isEqualTo(expected);
            byte[] tiny = {9};
            disk.write(5, tiny, 0, 1);
            expected[5] = 9;
            assertThat(Files.readAllBytes(file)).isEqualTo(expected);
        }
    }

    @Test
    void outOfRangeRequestsFailClearlyWithoutTouchingTheWire() throws Exception {
        lab.target(0, 1, write("d.img", 8), 1500, 64, 1);
        try (Initiator initiator = lab.initiator(1500, WAIT)) {
            AoeDevice disk = initiator.open(new AoeAddress(0, 1), WAIT);
            assertThatThrownBy(() -> disk.read(4000, ByteBuffer.allocate(200)))
                    .isInstanceOf(AoeIoException.class).hasMessage("e0.1: bytes 4000..4200 are outside the device (4096 bytes)");
            assertThatThrownBy(() -> disk.write(-1, ByteBuffer.allocate(1))).hasMessageContaining("outside the device");
        }
    }

    @Test
    void missingTargetIsDeviceNotFound() throws Exception {
        try (Initiator initiator = lab.initiator(1500, WAIT)) {
            assertThatThrownBy(() -> initiator.open(new AoeAddress(9, 9), Duration.ofMillis(200)))
                    .isInstanceOf(DeviceNotFoundException.class)
                    .hasMessageContaining("no AoE target answered for e9.9 within 200 ms");
        }
    }

    @Test
    void retransmitsDroppedFramesWithNewTags() throws Exception {
        Path file = dir.resolve("d.img");
        byte[] image = Lab.image(file, 64, 4);
        lab.target(0, 1, file, 1500, 64, 1);
        try (Initiator initiator = lab.initiator(1500, WAIT)) {
            AoeDevice disk = initiator.open(new AoeAddress(0, 1), WAIT);
            MemoryLink port = (MemoryLink) initiator.links().get(0);
            List<Integer> tags = new ArrayList<>();
            int[] dropped = {0};
            port.faults(Faults.NONE.withDropIf(f -> {
                synchronized (tags) {
                    tags.add(f.getInt(f.readerIndex() + 20));
                    return dropped[0]++ < 3;   // the first three frames are lost
                }
            }));
            ByteBuffer buf = ByteBuffer.allocate(4 * 512);
            disk.read(0, buf);
            assertThat(buf.array()).isEqualTo(Arrays.copyOf(image, 4 * 512));
            assertThat(disk.retransmits()).isGreaterThanOrEqualTo(3);
            assertThat(tags).doesNotHaveDuplicates().allMatch(t -> (t & 0x8000_0000) != 0);
        }
    }

    @Test
    void survivesLossDuplicationAndReordering() throws Exception {
        Path file = dir.resolve("d.img");
        Lab.image(file, 2048, 5);
        lab.target(0, 1, file, 1500, 64, 1);
        try (Initiator initiator = lab.initiator(1500, WAIT)) {
            AoeDevice disk = initiator.open(new AoeAddress(0, 1), WAIT);
            Faults bad = Faults.NONE.withDropRate(0.05).withDuplicateRate(0.1).withReorderRate(0.1);
            ((MemoryLink) initiator.links().get(0)).faults(bad);
            lab.targets.forEach(t -> ((MemoryLink) t.link()).faults(bad));
            byte[] data = new byte[1024 * 512];
            new Random(6).nextBytes(data);
            disk.write(0, ByteBuffer.wrap(data));
            ByteBuffer back = ByteBuffer.allocate(data.length);
            disk.read(0, back);
            assertThat(back.array()).isEqualTo(data);
            assertThat(Arrays.copyOf(Files.readAllBytes(file), data.length)).isEqualTo(data);
            assertThat(disk.retransmits()).isPositive();
            assertThat(initiator.ignoredResponses()).as("duplicates are ignored").isPositive();
        }
    }

    @Test
    void aTargetThatStopsAnsweringFailsRequestsAfterTheDeadTime() throws Exception {
        lab.target(0, 1, write("d.img", 64), 1500, 64, 1);
        try (Initiator initiator = lab.initiator(1500, Duration.ofMillis(600))) {
            AoeDevice disk = initiator.open(new AoeAddress(0, 1), WAIT);
            lab.targets.forEach(Target::close);
            assertThatThrownBy(() -> disk.read(0, ByteBuffer.allocate(4096)))
                    .isInstanceOf(DeviceTimeoutException.class)
                    .hasMessageContaining("e0.1: no answer from the target for ")
                    .hasMessageContaining("(the dead time is 600 ms)");
        }
    }

    @Test
    void reservationByAnotherHostIsAnAoeError6() throws Exception {
        lab.target(0, 1, write("d.img", 64), 1500, 64, 1);
        try (Initiator initiator = lab.initiator(1500, WAIT)) {
            AoeDevice disk = initiator.open(new AoeAddress(0, 1), WAIT);
            Optional<AoeFrame> reserved = initiator.control(new AoeAddress(0, 1), AoeCommand.RESERVE_RELEASE,
                    ReserveReleaseArg.of(ReserveReleaseArg.Rcmd.FORCE_SET, List.of(MacAddress.parse("02:99:00:00:00:01"))), WAIT);
            assertThat(reserved).isPresent();
            assertThatThrownBy(() -> disk.read(0, ByteBuffer.allocate(512)))
                    .isInstanceOf(AoeErrorException.class)
                    .hasMessage("e0.1: READ SECTORS EXT of 1 sectors at 0: target answered AoE error 6 (TARGET_RESERVED)")
                    .satisfies(e -> assertThat(((AoeErrorException) e).code()).isEqualTo(6));
        }
    }

    @Test
    void configStringOperations() throws Exception {
        lab.target(0, 1, write("d.img", 64), 1500, 64, 1);
        AoeAddress e01 = new AoeAddress(0, 1);
        try (Initiator initiator = lab.initiator(1500, WAIT)) {
            assertThat(((ConfigArg) initiator.config(e01, Ccmd.SET, Octets.ascii("me"), WAIT).orElseThrow().arg()).config())
                    .isEqualTo(Octets.ascii("me"));
            assertThat(initiator.config(e01, Ccmd.TEST, Octets.ascii("me"), WAIT)).isPresent();
            assertThat(initiator.config(e01, Ccmd.TEST, Octets.ascii("you"), Duration.ofMillis(300))).isEmpty();
            assertThat(initiator.config(e01, Ccmd.TEST_PREFIX, Octets.ascii("m"), WAIT)).isPresent();
            assertThat(initiator.config(e01, Ccmd.SET, Octets.ascii("you"), WAIT).orElseThrow().header().errorCode())
                    .isEqualTo(4);
            assertThat(initiator.control(e01, AoeCommand.MAC_MASK_LIST, MacMaskArg.read(), WAIT)).isPresent();
        }
    }

    @Test
    void channelAndInputStreamSeeTheDevice() throws Exception {
        Path file = dir.resolve("d.img");
        byte[] image = Lab.image(file, 40, 7);
        lab.target(0, 1, file, 1500, 64, 1);
        try (Initiator initiator = lab.initiator(1500, WAIT)) {
            AoeDevice disk = initiator.open(new AoeAddress(0, 1), WAIT);
            try (InputStream in = disk.inputStream(0, 3000)) {
                assertThat(in.readAllBytes()).isEqualTo(image);
            }
            SeekableByteChannel ch = disk.channel();
            assertThat(ch.size()).isEqualTo(image.length);
            ch.position(image.length - 10);
            ByteBuffer tail = ByteBuffer.allocate(100);
            assertThat(ch.read(tail)).isEqualTo(10);
            assertThat(ch.read(tail)).isEqualTo(-1);
            ch.position(3).write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            assertThat(Arrays.copyOfRange(Files.readAllBytes(file), 3, 6)).containsExactly(1, 2, 3);
            assertThatThrownBy(() -> ch.truncate(0)).hasMessageContaining("cannot be truncated");
        }
    }

    @Test
    void concurrentRandomReadsAndWritesOverDistinctRanges() throws Exception {
        Path file = dir.resolve("d.img");
        byte[] image = Lab.image(file, 4096, 8);
        lab.target(0, 1, file, 9000, 64, 1);
        try (Initiator initiator = lab.initiator(9000, WAIT)) {
            AoeDevice disk = initiator.open(new AoeAddress(0, 1), WAIT);
            byte[] expected = image.clone();
            ConcurrentIo.run(disk, expected, 4, 100, 20_000);
            assertThat(Files.readAllBytes(file)).isEqualTo(expected);
        }
    }

    @Test
    void spreadsFramesOverPathsAndUsesALossyPathLess() throws Exception {
        Path file = dir.resolve("d.img");
        byte[] image = Lab.image(file, 2048, 9);
        try (Initiator initiator = lab.initiator(1500, WAIT)) {
            BlockingQueue<TargetInfo> seen = new LinkedBlockingQueue<>();
            initiator.onTarget(seen::add);
            lab.target(0, 1, file, 1500, 64, 2);   // one export answering on two MACs: both announce
            while (seen.poll(5, TimeUnit.SECONDS).paths().size() < 2) {
                // the first announcement names one path, the second both
            }
            ((MemoryLink) lab.targets.get(1).link()).faults(Faults.NONE.withDropRate(0.3));
            AoeDevice disk = initiator.open(new AoeAddress(0, 1), WAIT);
            assertThat(disk.target().paths()).hasSize(2);
            ByteBuffer all = ByteBuffer.allocate(image.length);
            disk.read(0, all);
            assertThat(all.array()).isEqualTo(image);
            long[] sent = new long[2];
            long[] lost = new long[2];
            for (int i = 0; i < 2; i++) {
                DevicePath p = pathTo(disk, lab.targets.get(i).link().mac());
                sent[i] = p.sent;
                lost[i] = p.lost;
            }
            // the good path may see a spurious loss or two; the lossy one loses a far larger share and carries less
            assertThat((double) lost[1] / sent[1]).as("lost %s, sent %s", Arrays.toString(lost), Arrays.toString(sent))
                    .isGreaterThan(3.0 * lost[0] / sent[0]);
            assertThat(sent[1]).as("the lossy path carries less: sent %s", Arrays.toString(sent)).isLessThan(sent[0] / 2);
        }
    }

    private static DevicePath pathTo(AoeDevice disk, MacAddress mac) throws Exception {
        java.lang.reflect.Field f = AoeDevice.class.getDeclaredField("engine");
        f.setAccessible(true);
        FrameEngine engine = (FrameEngine) f.get(disk);
        return engine.paths().stream().filter(p -> p.mac.equals(mac)).findFirst().orElseThrow();
    }

    private Path write(String name, int sectors) throws Exception {
        Path file = dir.resolve(name);
        Lab.image(file, sectors, name.hashCode());
        return file;
    }
}
