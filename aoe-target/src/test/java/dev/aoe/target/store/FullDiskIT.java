package dev.aoe.target.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aoe.testing.Processes;
import dev.aoe.testing.Prerequisites;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sparse image on a file system that fills up (a 256 KiB tmpfs the test mounts): writes through the
 * mapping must fail with a clear I/O error (ENOSPC from pwrite on a page's first write), never a SIGBUS,
 * and what was written before stays readable.
 */
class FullDiskIT {

    @TempDir
    Path dir;

    @Test
    void writesPastTheSpaceFailCleanlyAndEarlierDataSurvives() throws Exception {
        Prerequisites.requireRoot();
        Path mount = Files.createDirectories(dir.resolve("small"));
        Processes.check("mount", "-t", "tmpfs", "-o", "size=256k", "aoetfull", mount.toString());
        try (FileBlockStore store = FileBlockStore.open(mount.resolve("disk.img"),
                new StoreOptions(false, 0, 0, 1 << 20, false, false))) {
            ByteBuf data = Unpooled.directBuffer(1024).writeZero(1024);
            int written = 0;
            for (int lba = 0; lba < 2048; lba += 2) {
                data.setInt(0, lba);
                try {
                    store.write(lba, 2, data, 0);
                    written = lba + 2;
                } catch (IOException e) {
                    assertThat(e).hasMessageContaining("No space left on device");
                    break;
                }
            }
            assertThat(written).as("some sectors fit, not all").isBetween(2, 2046);
            int full = written;
            assertThatThrownBy(() -> store.write(full + 100, 2, data, 0)).isInstanceOf(IOException.class);
            for (int lba = 0; lba < written; lba += 2) {
                ByteBuf back = Unpooled.directBuffer(1024);
                store.read(lba, 2, back);
                assertThat(back.getInt(0)).as("sector %d", lba).isEqualTo(lba);
                back.release();
            }
            data.release();
        } finally {
            Processes.runQuietly("umount", "-l", mount.toString());   // -l: the store's mapping lives until GC
        }
    }
}
