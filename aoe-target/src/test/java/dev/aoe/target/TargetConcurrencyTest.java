package dev.aoe.target;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aoe.frame.AoeCommand;
import dev.aoe.frame.AoeFrame;
import dev.aoe.frame.AtaArg;
import dev.aoe.frame.Octets;
import dev.aoe.target.store.BlockStore;
import dev.aoe.target.store.FileBlockStore;
import dev.aoe.target.store.StoreOptions;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TargetConcurrencyTest {

    @TempDir
    Path dir;

    /** A store whose reads wait until the test opens the gate, to hold requests in flight. */
    static final class GatedStore implements BlockStore {
        final BlockStore inner;
        final CountDownLatch gate = new CountDownLatch(1);
        final Semaphore entered = new Semaphore(0);

        GatedStore(BlockStore inner) {
            this.inner = inner;
        }

        @Override
        public long sectors() {
            return inner.sectors();
        }

        @Override
        public boolean readOnly() {
            return false;
        }

        @Override
        public void read(long lba, int count, ByteBuf dst) throws IOException {
            entered.release();
            try {
                gate.await();
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            inner.read(lba, count, dst);
        }

        @Override
        public void write(long lba, int count, ByteBuf src, int srcIndex) throws IOException {
            inner.write(lba, count, src, srcIndex);
        }

        @Override
        public void flush() throws IOException {
            inner.flush();
        }

        @Override
        public void close() throws IOException {
            inner.close();
        }
    }

    @Test
    void requestsBeyondTheBufferCountAreDroppedAndTheRestServedInParallel() throws Exception {
        GatedStore store = new GatedStore(FileBlockStore.open(dir.resolve("g.img"), new StoreOptions(false, 0, 0, 1 << 20, false, false)));
        Export export = new Export(0, 1, store, ExportState.inMemory(), 4, "host");
        try (TargetHarness h = new TargetHarness(1500, List.of(export))) {
            TargetHarness.Port host = h.port("host", "52:54:00:12:34:56");
            h.target.start();
            host.next();
            List<Integer> tags = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                tags.add(host.send(TargetHarness.TARGET_MAC, 0, 1, AoeCommand.ATA, AtaArg.command(0x24, true, i, 1)));
            }
            // four reads are inside the store at once: served in parallel, not one at a time
            assertThat(store.entered.tryAcquire(4, 10, TimeUnit.SECONDS)).isTrue();
            host.assertNoReplyTo(tags.get(5));   // config is answered while the reads wait
            assertThat(export.stats().get(ExportStats.Counter.DROPPED_BUSY)).isEqualTo(2);
            store.gate.countDown();
            List<Integer> answered = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                answered.add(host.next().header().tag());
            }
            assertThat(answered).containsExactlyInAnyOrderElementsOf(tags.subList(0, 4));
        }
    }

    /**
     * Four initiators write whole 2-sector blocks of one repeated byte while reading overlapping ranges:
     * every read must show whole writes (each sector a single byte value, the same across a block),
     * and at the end each block holds the last value its writer was acknowledged for.
     */
    @Test
    void overlappingReadsAndWritesStayConsistent() throws Exception {
        Path image = dir.resolve("c.img");
        int blocks = 16;
        Files.write(image, new byte[blocks * 1024]);
        FileBlockStore store = FileBlockStore.open(image, StoreOptions.DEFAULT);
        Export export = new Export(0, 1, store, ExportState.inMemory(), 64, "host");
        try (TargetHarness h = new TargetHarness(1500, List.of(export))) {
            int hosts = 4;
            List<TargetHarness.Port> ports = new ArrayList<>();
            for (int i = 0; i < hosts; i++) {
                ports.add(h.port("h" + i, String.format("52:54:00:00:00:%02x", i + 1)));
            }
            h.target.start();
            for (TargetHarness.Port p : ports) {
                p.next();
            }
            Map<Integer, Byte> lastWritten = new HashMap<>();
            List<Thread> threads = new ArrayList<>();
            List<Throwable> failures = new ArrayList<>();
            for (int w = 0; w < hosts; w++) {
                int writer = w;
                TargetHarness.Port port = ports.get(w);
                Thread t = new Thread(() -> {
                    Random random = new Random(writer);
                    try {
                        for (int i = 0; i < 200; i++) {
                            int block = writer + hosts * random.nextInt(blocks / hosts);   // each writer owns its blocks
                            byte value = (byte) (writer * 60 + i % 60 + 1);
                            byte[] data = new byte[1024];
                            Arrays.fill(data, value);
                            AoeFrame ack = port.write(block * 2L, data);
                            assertThat(((AtaArg) ack.arg()).cmdStatus()).isEqualTo(0x40);
                            synchronized (lastWritten) {
                                lastWritten.put(block, value);
                            }
                            long readAt = random.nextInt(blocks * 2 - 1);   // straddles two blocks when odd
                            byte[] read = ((AtaArg) port.ata(0, 1, AtaArg.command(0x24, true, readAt, 2)).arg()).data().toByteArray();
                            for (int s = 0; s < 2; s++) {
                                byte first = read[s * 512];
                                for (int b = 1; b < 512; b++) {
                                    if (read[s * 512 + b] != first) {
                                        throw new AssertionError("torn sector at " + (readAt + s));
                                    }
                                }
                            }
                            if (readAt % 2 == 0) {
                                assertThat(read[0]).as("a block is written whole").isEqualTo(read[512]);
                            }
                        }
                    } catch (Throwable e) {
                        synchronized (failures) {
                            failures.add(e);
                        }
                    }
                });
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join(60_000);
            }
            assertThat(failures).isEmpty();
            byte[] disk = Files.readAllBytes(image);
            lastWritten.forEach((block, value) -> {
                byte[] expected = new byte[1024];
                Arrays.fill(expected, value);
                assertThat(Arrays.copyOfRange(disk, block * 1024, block * 1024 + 1024)).as("block %d", block).isEqualTo(expected);
            });
        }
    }
}
