package dev.aoe.target.overlay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aoe.target.store.FileBlockStore;
import dev.aoe.target.store.StoreOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Random writes (block-aligned and not), reads, flushes and crashes against a model of what the device
 * must read. A crash loses everything not flushed, or some of it; with the power cut first, inside a
 * write or a flush. After each crash the overlay is reopened from its stores and must read, sector by
 * sector, what the last acknowledged flush left (with {@code sync}: every acknowledged write), or a
 * value written since, and nothing else: never the zeros of a block the map names without its data.
 */
class OverlayPropertyTest {

    /** 32,768 sectors (4,096 blocks): its map spans two sectors of a slot, so a slot write can tear. */
    static final int[] DEVICE_SECTORS = {64, 1021, 4100, 32_768};
    static final int OPERATIONS = 300;

    @TempDir
    Path dir;

    static Stream<Arguments> seeds() {
        return LongStream.range(1, 41).mapToObj(seed -> Arguments.of(seed, seed % 2 == 0));
    }

    @ParameterizedTest(name = "seed {0}, sync {1}")
    @MethodSource("seeds")
    void aCrashAnywhereLeavesTheAcknowledgedWrites(long seed, boolean sync) throws Exception {
        Random random = new Random(seed);
        int sectors = DEVICE_SECTORS[(int) (seed / 2 % DEVICE_SECTORS.length)];   // each size with and without sync
        byte[] baseBytes = new byte[sectors * 512];
        random.nextBytes(baseBytes);
        Path image = dir.resolve("base.img");
        Files.write(image, baseBytes);
        String sha256 = sha256(image);
        CrashableDisk disk = new CrashableDisk(seed);
        CrashableDisk.Store data = disk.store(sectors, sync);
        CrashableDisk.Store mapFile = disk.store(OverlayMap.fileBytes(sectors * 512L) / 512, false);
        OverlayMap.format(mapFile, sectors * 512L);
        Model model = new Model(baseBytes, sync);
        try (FileBlockStore base = FileBlockStore.open(image, new StoreOptions(true, 0, 0, 0, false, false))) {
            Overlay overlay = Overlay.open(base, data, mapFile, sync, new ClientStats());
            for (int op = 0; op < OPERATIONS; op++) {
                String at = "seed " + seed + ", operation " + op;
                int dice = random.nextInt(100);
                if (dice < 55) {
                    write(overlay, model, random, sectors);
                } else if (dice < 70) {
                    int lba = random.nextInt(sectors);
                    int count = 1 + random.nextInt(Math.min(256, sectors - lba));
                    assertThat(read(overlay, lba, count)).as(at).isEqualTo(model.current(lba, count));
                } else if (dice < 85) {
                    overlay.flush();
                    model.flushed();
                } else {
                    int where = random.nextInt(3);   // 0: between operations; 1: amid writes and flushes; 2: in a flush
                    boolean cut = where > 0;
                    if (where == 1) {
                        disk.cutPowerAfter(random.nextInt(6));
                        runUntilPowerCut(overlay, model, random, sectors);
                    } else if (where == 2) {
                        disk.cutPowerAfter(random.nextInt(4));   // at the data sync, a map slot or the map sync
                        try {
                            overlay.flush();
                            model.flushed();
                        } catch (IOException e) {
                            // the crash below decides what the flush left
                        }
                    }
                    CrashableDisk.Loss loss = CrashableDisk.Loss.values()[random.nextInt(2)];
                    disk.crash(loss);
                    overlay = Overlay.open(base, data, mapFile, sync, new ClientStats());
                    model.checkAfterCrash(overlay, !cut && (sync || loss == CrashableDisk.Loss.ALL_UNFLUSHED),
                            at + " (" + loss + (cut ? ", power cut" : "") + ")");
                }
            }
        }
        assertThat(sha256(image)).as("the base never changes").isEqualTo(sha256);
    }

    private static void runUntilPowerCut(Overlay overlay, Model model, Random random, int sectors) {
        for (int i = 0; i < 20; i++) {
            try {
                if (random.nextInt(4) == 0) {
                    overlay.flush();
                    model.flushed();
                } else {
                    write(overlay, model, random, sectors);
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    /** One write, block-aligned half the time, mostly near either end of the device so that writes overlap. */
    private static void write(Overlay overlay, Model model, Random random, int sectors) throws IOException {
        int window = random.nextInt(3) == 0 ? sectors : Math.min(sectors, 96);
        int from = random.nextBoolean() ? 0 : (sectors - window) / 8 * 8;
        int lba;
        int count;
        if (random.nextBoolean() && window >= 8) {
            lba = from + 8 * random.nextInt(window / 8);
            count = Math.min(sectors - lba, 8 * (1 + random.nextInt(4)));
        } else {
            lba = from + random.nextInt(window);
            count = 1 + random.nextInt(Math.min(40, sectors - lba));
        }
        byte[] bytes = new byte[count * 512];
        random.nextBytes(bytes);
        try {
            overlay.write(lba, count, Unpooled.wrappedBuffer(bytes), 0);
        } catch (IOException e) {
            model.written(lba, bytes, false);
            throw e;
        }
        model.written(lba, bytes, true);
    }

    static byte[] read(Overlay overlay, long lba, int count) throws IOException {
        byte[] bytes = new byte[count * 512];
        ByteBuf buf = Unpooled.wrappedBuffer(bytes).writerIndex(0);
        for (long at = lba; at < lba + count; at += 256) {
            overlay.read(at, (int) Math.min(256, lba + count - at), buf);
        }
        return bytes;
    }

    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    /** What the device reads: every acknowledged write, and what a crash may leave of each sector. */
    static final class Model {
        private final boolean sync;
        private final byte[] current;
        private final byte[] durable;
        /** Per sector, what was written since the last flush and may or may not survive a crash. */
        private final Map<Integer, List<byte[]>> uncertain = new HashMap<>();
        /** Blocks any write tried: a crash can change nothing else. */
        private final BitSet touched = new BitSet();

        Model(byte[] base, boolean sync) {
            this.sync = sync;
            this.current = base.clone();
            this.durable = base.clone();
        }

        byte[] current(int lba, int count) {
            return Arrays.copyOfRange(current, lba * 512, (lba + count) * 512);
        }

        void written(int lba, byte[] bytes, boolean acknowledged) {
            int count = bytes.length / 512;
            touched.set(lba / 8, (lba + count - 1) / 8 + 1);
            for (int i = 0; i < count; i++) {
                byte[] sector = Arrays.copyOfRange(bytes, i * 512, (i + 1) * 512);
                if (acknowledged) {
                    System.arraycopy(sector, 0, current, (lba + i) * 512, 512);
                }
                if (acknowledged && sync) {
                    System.arraycopy(sector, 0, durable, (lba + i) * 512, 512);
                } else {
                    uncertain.computeIfAbsent(lba + i, k -> new ArrayList<>()).add(sector);
                }
            }
        }

        void flushed() {
            System.arraycopy(current, 0, durable, 0, current.length);
            uncertain.clear();
        }

        /**
         * The reopened overlay holds only blocks some write touched, and each of their sectors reads exactly
         * its durable value; or, when part of the cache may have reached the disk, that or a value written
         * since. Then the model continues from what the overlay reads.
         */
        void checkAfterCrash(Overlay overlay, boolean exact, String at) throws IOException {
            for (long b = overlay.map().nextHeld(0); b >= 0; b = overlay.map().nextHeld(b + 1)) {
                assertThat(touched.get((int) b)).as("%s: the map holds block %d, which no write touched", at, b).isTrue();
            }
            int sectors = current.length / 512;
            for (int b = touched.nextSetBit(0); b >= 0; b = touched.nextSetBit(b)) {
                int end = touched.nextClearBit(b);
                int lba = b * 8;
                byte[] device = read(overlay, lba, Math.min(end * 8, sectors) - lba);
                for (int i = 0; i < device.length / 512; i++) {
                    check(lba + i, Arrays.copyOfRange(device, i * 512, (i + 1) * 512), exact, at);
                }
                System.arraycopy(device, 0, current, lba * 512, device.length);
                System.arraycopy(device, 0, durable, lba * 512, device.length);
                b = end;
            }
            uncertain.clear();
        }

        private void check(int sector, byte[] found, boolean exact, String at) {
            boolean isDurable = Arrays.equals(found, 0, 512, durable, sector * 512, (sector + 1) * 512);
            if (exact) {
                assertThat(isDurable).as("%s: sector %d is not what the last flush left", at, sector).isTrue();
            } else if (!isDurable) {
                assertThat(uncertain.getOrDefault(sector, List.of()).stream().anyMatch(c -> Arrays.equals(c, found)))
                        .as("%s: sector %d holds neither its durable value nor one written since", at, sector).isTrue();
            }
        }
    }
}
