package dev.aoe.initiator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Several threads doing random reads and writes, each in its own region of a device, every read checked
 * against what was written; then a whole-device read. {@code image} is updated to the expected contents.
 */
public final class ConcurrentIo {

    private ConcurrentIo() {
    }

    public static void run(AoeDevice disk, byte[] image, int threads, int operations, int maxLength) throws Exception {
        int region = image.length / threads;
        List<Thread> workers = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int w = 0; w < threads; w++) {
            int id = w;
            Thread t = new Thread(() -> {
                Random random = new Random(id);
                try {
                    for (int i = 0; i < operations; i++) {
                        int len = 1 + random.nextInt(maxLength);
                        int off = id * region + random.nextInt(region - len);
                        if (random.nextBoolean()) {
                            byte[] data = new byte[len];
                            random.nextBytes(data);
                            disk.write(off, data, 0, len);
                            synchronized (image) {
                                System.arraycopy(data, 0, image, off, len);
                            }
                        } else {
                            byte[] got = new byte[len];
                            disk.read(off, got, 0, len);
                            byte[] expected;
                            synchronized (image) {
                                expected = Arrays.copyOfRange(image, off, off + len);
                            }
                            assertThat(got).isEqualTo(expected);
                        }
                    }
                } catch (Throwable e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            });
            workers.add(t);
            t.start();
        }
        for (Thread t : workers) {
            t.join(120_000);
        }
        assertThat(failures).isEmpty();
        ByteBuffer all = ByteBuffer.allocate(image.length);
        disk.read(0, all);
        assertThat(all.array()).isEqualTo(image);
    }
}
