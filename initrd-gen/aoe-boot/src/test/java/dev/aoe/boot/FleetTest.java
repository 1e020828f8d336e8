package dev.aoe.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aoe.boot.BootException.Reason;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a fleet, a MAC and an overlay refuse before anything starts (no QEMU needed). */
class FleetTest {

    @TempDir
    Path dir;

    static BootException refused(Runnable start) {
        try {
            start.run();
        } catch (BootException e) {
            assertThat(e.reason()).isEqualTo(Reason.BAD_INPUT);
            return e;
        }
        throw new AssertionError("started");
    }

    @Test
    void aFleetBootsDirectlyOverUdp() {
        Path image = dir.resolve("root.img");
        assertThat(refused(() -> AoeBoot.builder().mode(BootMode.PXE).image(image).fleet().close()).getMessage())
                .isEqualTo("a fleet boots its VMs directly (QEMU's -kernel); PXE and sanboot take one VM per boot");
        assertThat(refused(() -> AoeBoot.builder().network(BootNetwork.TAP).image(image).fleet().close()).getMessage())
                .startsWith("a fleet's VMs reach its target over UDP");
        assertThat(refused(() -> AoeBoot.builder().fleet().close()).getMessage())
                .isEqualTo("a fleet needs an image to boot from");
        assertThat(refused(() -> AoeBoot.builder().image(image).disk(image).fleet().close()).getMessage())
                .startsWith("a fleet takes no local disks");
    }

    @Test
    void aMacMustBeAUnicastMac() {
        assertThat(refused(() -> AoeBoot.builder().network(BootNetwork.UDP).mac("52:54:00:aa:00").start().close())
                .getMessage()).isEqualTo("MAC '52:54:00:aa:00' is not a MAC address (aa:bb:cc:dd:ee:ff)");
        assertThat(refused(() -> AoeBoot.builder().network(BootNetwork.UDP).mac("01:00:5e:00:00:01").start().close())
                .getMessage()).isEqualTo("MAC 01:00:5e:00:00:01 is a group address; a NIC needs a unicast one");
    }

    @Test
    void anOverlayHasOneBase() {
        assertThat(refused(() -> AoeBoot.builder().network(BootNetwork.UDP).image(Path.of("a")).image(Path.of("b"))
                .overlay(dir).start().close()).getMessage())
                .isEqualTo("an overlay directory goes with exactly one image (its base), not 2");
    }

    @Test
    void theGuestsMacAndRebootsReachQemu() {
        QemuPlan.Machine m = new QemuPlan.Machine(512, 1, List.of(), List.of(), false,
                "52:54:00:aa:00:01", true);
        assertThat(new QemuPlan(QemuPlan.dgramNetdev(1, 2), Path.of("/k"), null, null, m).command(QemuPlanTest.QEMU))
                .contains("virtio-net-pci,netdev=n0,mac=52:54:00:aa:00:01,romfile=").doesNotContain("-no-reboot");
        assertThat(new QemuPlan(QemuPlan.dgramNetdev(1, 2), Path.of("/k"), null, null, QemuPlanTest.TCG)
                .command(QemuPlanTest.QEMU)).containsSequence("-no-reboot", "-serial", "stdio");
    }
}
