package dev.aoe.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class QemuPlanTest {

    static final Path QEMU = Path.of("/usr/bin/qemu-system-x86_64");
    static final QemuPlan.Machine TCG = new QemuPlan.Machine(512, 1, List.of(), List.of("-snapshot"), false);

    @Test
    void aKernelBootLeavesTheOptionRomOut() {
        List<String> c = new QemuPlan(QemuPlan.dgramNetdev(40001, 40002), Path.of("/k"), Path.of("/i"), "console=ttyS0",
                TCG).command(QEMU);
        assertThat(c).startsWith(QEMU.toString(), "-accel", "tcg", "-cpu", "max").endsWith("-snapshot")
                .containsSequence("-machine", "graphics=off")
                .containsSequence("-netdev", "dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port=40001,"
                        + "remote.type=inet,remote.host=127.0.0.1,remote.port=40002")
                .containsSequence("-device", "virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56,romfile=")
                .containsSequence("-kernel", "/k", "-initrd", "/i", "-append", "console=ttyS0")
                .doesNotContain("-boot");
    }

    @Test
    void withoutAKernelTheRomBootsFromTheNetwork() {
        List<String> c = new QemuPlan(QemuPlan.tapNetdev("aoetap1x1"), null, null, null,
                new QemuPlan.Machine(512, 2, List.of(Path.of("/d.img")), List.of(), true)).command(QEMU);
        assertThat(c).containsSequence("-accel", "kvm", "-cpu", "host").containsSequence("-smp", "2")
                .containsSequence("-netdev", "tap,id=n0,ifname=aoetap1x1,script=no,downscript=no")
                .containsSequence("-device", "virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56")
                .containsSequence("-boot", "n").containsSequence("-drive", "file=/d.img,format=raw,if=virtio")
                .doesNotContain("-kernel", "-append");
    }

    @Test
    void shellLineQuotesWhatNeedsIt() {
        assertThat(QemuPlan.shellLine(List.of("qemu", "-append", "console=ttyS0 root=/dev/etherd/e0.1", "it's")))
                .isEqualTo("qemu -append 'console=ttyS0 root=/dev/etherd/e0.1' 'it'\\''s'");
    }
}
