package dev.aoe.target.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FileBlockStoreTest {

    @TempDir
    Path dir;

    private Path image(int sectors) throws Exception {
        Path p = dir.resolve("d.img");
        byte[] b = new byte[sectors * 512];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i / 512);
        }
        Files.write(p, b);
        return p;
    }

    private static byte[] read(BlockStore store, long lba, int count) throws Exception {
        ByteBuf buf = Unpooled.buffer();
        store.read(lba, count, buf);
        byte[] b = ByteBufUtil.getBytes(buf);
        buf.release();
        return b;
    }

    @Test
    void offsetAndLengthExportAWindowOfTheFile() throws Exception {
        try (FileBlockStore store = FileBlockStore.open(image(100), new StoreOptions(false, 10, 20, 0, false, false))) {
            assertThat(store.sectors()).isEqualTo(20);
            assertThat(read(store, 0, 1)[0]).isEqualTo((byte) 10);
            store.write(19, 1, Unpooled.wrappedBuffer(new byte[512]), 0);
            assertThatThrownBy(() -> store.write(20, 1, Unpooled.wrappedBuffer(new byte[512]), 0)).hasMessageContaining("outside");
        }
        byte[] file = Files.readAllBytes(dir.resolve("d.img"));
        assertThat(file[29 * 512]).isZero();
        assertThat(file[30 * 512]).isEqualTo((byte) 30);
    }

    @Test
    void badWindowsAreOneLineErrors() throws Exception {
        Path p = image(100);
        assertThatThrownBy(() -> FileBlockStore.open(p, new StoreOptions(false, 100, 0, 0, false, false)))
                .isInstanceOf(StoreException.class).hasMessageContaining("--offset 100 is past the end");
        assertThatThrownBy(() -> FileBlockStore.open(p, new StoreOptions(false, 90, 20, 0, false, false)))
                .hasMessageContaining("--length 20 exceeds the 10 sectors");
    }

    @Test
    void aFileTailShorterThanASectorIsNotExportedAndSaidSo() throws Exception {
        Path p = dir.resolve("odd.img");
        Files.write(p, new byte[512 * 4 + 100]);
        try (FileBlockStore store = FileBlockStore.open(p, StoreOptions.DEFAULT)) {
            assertThat(store.sectors()).isEqualTo(4);
            assertThat(store.warnings()).singleElement().asString().contains("the last 100 bytes are not exported");
        }
    }

    @Test
    void sizeCreatesOrExtendsSparselyButNeverShrinks() throws Exception {
        Path p = dir.resolve("new.img");
        try (FileBlockStore store = FileBlockStore.open(p, new StoreOptions(false, 0, 0, 1 << 30, false, false))) {
            assertThat(store.sectors()).isEqualTo((1 << 30) / 512);
        }
        assertThat(Files.size(p)).isEqualTo(1 << 30);
        Process stat = new ProcessBuilder("stat", "-c", "%b", p.toString()).start();
        assertThat(Long.parseLong(new String(stat.getInputStream().readAllBytes()).trim())).as("allocated blocks: sparse")
                .isLessThan(1000L);
        assertThatThrownBy(() -> FileBlockStore.open(p, new StoreOptions(false, 0, 0, 1 << 20, false, false)))
                .hasMessageContaining("refusing to shrink");
        assertThatThrownBy(() -> FileBlockStore.open(p, new StoreOptions(false, 0, 0, 1000, false, false)))
                .hasMessageContaining("not a whole number of 512-byte sectors");
    }

    @Test
    void missingFilesDirectoriesAndEmptyFilesAreOneLineErrors() throws Exception {
        assertThatThrownBy(() -> FileBlockStore.open(dir.resolve("nope.img"), StoreOptions.DEFAULT))
                .isInstanceOf(StoreException.class).hasMessageEndingWith("nope.img: no such file (give --size to create it)");
        assertThatThrownBy(() -> FileBlockStore.open(dir, StoreOptions.DEFAULT)).hasMessageContaining("is a directory");
        Path empty = Files.createFile(dir.resolve("empty.img"));
        assertThatThrownBy(() -> FileBlockStore.open(empty, StoreOptions.DEFAULT)).hasMessageContaining("is empty");
    }

    @Test
    void readOnlyRefusesWrites() throws Exception {
        try (FileBlockStore store = FileBlockStore.open(image(8), new StoreOptions(true, 0, 0, 0, false, false))) {
            assertThat(store.readOnly()).isTrue();
            assertThatThrownBy(() -> store.write(0, 1, Unpooled.wrappedBuffer(new byte[512]), 0)).hasMessageContaining("read-only");
        }
    }

    @ParameterizedTest(name = "sync={0}")
    @ValueSource(booleans = {false, true})
    void syncAndDirectModesReadWhatTheyWrite(boolean sync) throws Exception {
        try (FileBlockStore store = FileBlockStore.open(image(64), new StoreOptions(false, 0, 0, 0, sync, true))) {
            byte[] data = new byte[8 * 512];
            Arrays.fill(data, (byte) 0x77);
            store.write(8, 8, Unpooled.wrappedBuffer(data), 0);     // 4 KiB aligned: O_DIRECT when available
            store.write(3, 1, Unpooled.wrappedBuffer(data), 0);     // unaligned: the page-cache channel
            assertThat(read(store, 8, 8)).isEqualTo(data);
            assertThat(read(store, 3, 1)).isEqualTo(Arrays.copyOf(data, 512));
            assertThat(read(store, 2, 1)[0]).isEqualTo((byte) 2);
            store.flush();
            if (!store.direct()) {
                assertThat(store.warnings()).anyMatch(w -> w.contains("O_DIRECT is not supported"));
            }
        }
    }
}
