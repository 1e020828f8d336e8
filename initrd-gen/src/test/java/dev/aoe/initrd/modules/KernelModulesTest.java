package dev.aoe.initrd.modules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Resolution on a synthetic tree with depmod's files, checked against what modprobe would print. */
class KernelModulesTest {

    @TempDir
    Path dir;

    Path tree() throws Exception {
        Path m = dir.resolve("6.1.0-test");
        for (String ko : List.of("kernel/fs/ext4/ext4.ko", "kernel/fs/jbd2/jbd2.ko", "kernel/fs/mbcache.ko",
                "kernel/lib/crc16.ko", "kernel/crypto/crc32c_generic.ko", "kernel/arch/x86/crypto/crc32c-intel.ko.xz",
                "kernel/drivers/block/aoe/aoe.ko", "kernel/drivers/net/virtio_net.ko", "kernel/drivers/net/net_failover.ko",
                "kernel/net/core/failover.ko")) {
            Path p = m.resolve(ko);
            Files.createDirectories(p.getParent());
            Files.write(p, new byte[0]);
        }
        Files.writeString(m.resolve("modules.dep"), String.join("\n",
                "kernel/fs/ext4/ext4.ko: kernel/lib/crc16.ko kernel/fs/mbcache.ko kernel/fs/jbd2/jbd2.ko",
                "kernel/fs/jbd2/jbd2.ko:", "kernel/fs/mbcache.ko:", "kernel/lib/crc16.ko:", "kernel/crypto/crc32c_generic.ko:",
                "kernel/arch/x86/crypto/crc32c-intel.ko.xz:", "kernel/drivers/block/aoe/aoe.ko:",
                "kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko kernel/net/core/failover.ko",
                "kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko", "kernel/net/core/failover.ko:", ""));
        Files.writeString(m.resolve("modules.softdep"), "# Soft dependencies\nsoftdep ext4 pre: crypto-crc32c\n"
                + "softdep jbd2 pre: crypto-crc32c\n");
        Files.writeString(m.resolve("modules.alias"), "alias crypto-crc32c crc32c_intel\nalias crc32c crc32c_intel\n"
                + "alias crypto-crc32c crc32c_generic\nalias pci:v00001AF4d00001000sv*sd*bc*sc*i* virtio_net\n");
        return m;
    }

    @Test
    void ordersLikeModprobeShowDepends() throws Exception {
        KernelModules k = KernelModules.open(tree());
        // modprobe --show-depends ext4 on Debian's 6.1 tree prints exactly this order
        assertThat(k.resolve(List.of("ext4"))).containsExactly("kernel/arch/x86/crypto/crc32c-intel.ko.xz",
                "kernel/crypto/crc32c_generic.ko", "kernel/fs/jbd2/jbd2.ko", "kernel/fs/mbcache.ko", "kernel/lib/crc16.ko",
                "kernel/fs/ext4/ext4.ko");
        assertThat(k.resolve(List.of("virtio_net", "aoe", "crc32c-intel"))).containsExactly("kernel/net/core/failover.ko",
                "kernel/drivers/net/net_failover.ko", "kernel/drivers/net/virtio_net.ko", "kernel/drivers/block/aoe/aoe.ko",
                "kernel/arch/x86/crypto/crc32c-intel.ko.xz");
        assertThat(k.resolve(List.of("crypto-crc32c"))).as("an alias loads every module providing it").hasSize(2);
    }

    @Test
    void aMissingModuleNamesTheClosestOnes() throws Exception {
        KernelModules k = KernelModules.open(tree());
        assertThatThrownBy(() -> k.resolve(List.of("virtio-nett"))).isInstanceOf(ModuleNotFoundException.class)
                .hasMessageContaining("module 'virtio-nett' not found in").hasMessageEndingWith("(closest: virtio_net, aoe, failover)");
        assertThatThrownBy(() -> KernelModules.open(dir.resolve("nope"))).hasMessageContaining("no kernel modules at");
    }

    @Test
    void parsesSoftdepLines() {
        assertThat(KernelModules.parseSoftdep("pre: a b post: c")).containsExactly("a b", "c");
        assertThat(KernelModules.parseSoftdep("x post: y")).containsExactly("x", "y");
        assertThat(KernelModules.nameOf("kernel/arch/x86/crypto/crc32c-intel.ko.zst")).isEqualTo("crc32c_intel");
    }
}
