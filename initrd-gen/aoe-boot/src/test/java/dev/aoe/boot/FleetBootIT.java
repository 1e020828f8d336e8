package dev.aoe.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.hash.Hashing;
import dev.aoe.ethernet.MacAddress;
import dev.aoe.target.overlay.ClientDir;
import dev.aoe.target.overlay.ClientGroup;
import dev.aoe.target.overlay.OverlayDirectory;
import dev.aoe.target.overlay.OverlayMap;
import dev.aoe.testing.Processes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14's fleet boot: four VMs boot at once, over UDP (no root), from one golden ext4 root exported once
 * with persistent per-client overlays. Each guest's init (guest/fleet-init.sh) lists /fleet, writes its own
 * MAC (from sysfs) to /fleet/MAC, syncs and reboots with {@code reboot -f}: a real guest reboot in the same
 * QEMU. After the reboot it lists /fleet again, and must see exactly its own file. The golden image's
 * sha256 is unchanged, and the overlay directory holds four clients with those MACs. One VM booted alone
 * first (its own overlay directory) gives the time to compare with.
 */
class FleetBootIT {

    static final List<String> MACS = List.of("52:54:00:aa:00:01", "52:54:00:aa:00:02", "52:54:00:aa:00:03",
            "52:54:00:aa:00:04");
    static final String SOLO_MAC = "52:54:00:aa:00:00";
    /** Four TCG guests share two cores (and the machine's other work): a boot takes minutes, not seconds. */
    static final Duration WAIT = Duration.ofMinutes(10);

    @TempDir
    Path dir;

    /**
     * What one VM did, times since its fleet started booting.
     *
     * @param before    /fleet's files on the first boot, before the guest wrote (FLEET-FILE lines)
     * @param after     /fleet's files after the reboot
     * @param kernels   how often Linux started in this QEMU
     * @param duWritten   bytes the client's overlay directory takes on disk once the guest wrote, synced and
     *                    remounted its root read-only
     * @param heldWritten blocks the client's map file names then (as of its last FLUSH)
     */
    record Cycle(String mac, Duration wrote, Duration listed, List<String> before, List<String> after, long kernels,
                 long duWritten, long heldWritten) {
    }

    @Test
    void fourVmsBootOneGoldenImageEachThroughItsOwnOverlayAndFindOnlyTheirOwnFileAfterAReboot() throws Exception {
        BootImages.requireQemu(BootNetwork.UDP);
        BootImages.kernel();
        // initialised in full now: else each guest's ext4lazyinit zeroes inode tables into its own overlay
        Path golden = BootImages.ext4Root(dir, 64,
                Map.of("sbin/init", BootImages.resource("fleet-init.sh").getBytes(StandardCharsets.UTF_8)),
                List.of("-E", "lazy_itable_init=0,lazy_journal_init=0"));
        String before = sha256(golden);

        Path soloOverlays = dir.resolve("solo-overlays");
        Cycle solo;
        try (Fleet fleet = AoeBoot.builder().image(golden).overlay(soloOverlays).guestReboots(true)
                .workDir(dir.resolve("solo")).fleet()) {
            long t0 = System.nanoTime();
            solo = cycle(fleet.boot(SOLO_MAC), t0, soloOverlays);
        }

        Path overlays = dir.resolve("overlays");
        List<Cycle> cycles = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(MACS.size());
        try (Fleet fleet = AoeBoot.builder().image(golden).overlay(overlays).guestReboots(true)
                .workDir(dir.resolve("fleet")).fleet()) {
            long t0 = System.nanoTime();
            List<BootedVm> vms = MACS.stream().map(fleet::boot).toList();
            assertThat(vms).extracting(BootedVm::running).containsOnly(true);
            List<Future<Cycle>> futures = vms.stream().map(vm -> pool.submit(() -> cycle(vm, t0, overlays))).toList();
            for (Future<Cycle> f : futures) {
                try {
                    cycles.add(f.get());
                } catch (ExecutionException e) {
                    for (BootedVm vm : fleet.vms()) {   // the temporary directory, and the consoles in it, go
                        List<String> lines = vm.console();
                        System.err.println("FleetBootIT: " + vm.mac() + "'s last console lines:\n  | " + String.join(
                                "\n  | ", lines.subList(Math.max(0, lines.size() - 30), lines.size())));
                    }
                    if (e.getCause() instanceof Error error) {
                        throw error;
                    }
                    throw e.getCause() instanceof Exception cause ? cause : e;
                }
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(30, TimeUnit.SECONDS);
        }

        for (Cycle c : concat(solo, cycles)) {
            String file = "FLEET-FILE " + clientName(c.mac()) + " " + c.mac();
            assertThat(c.before()).as(c.mac() + " sees no file before it writes").isEmpty();
            assertThat(c.after()).as(c.mac() + " sees exactly its own file after the reboot").containsExactly(file);
            assertThat(c.kernels()).as(c.mac() + ": the guest rebooted in the same QEMU").isEqualTo(2);
        }
        assertThat(sha256(golden)).as("the golden image is never written").isEqualTo(before);
        assertThat(BootImages.readExt4File(golden, "/fleet/" + clientName(MACS.get(0)))).isNull();

        List<ClientDir> clients = OverlayDirectory.inspect(overlays).clients();
        assertThat(clients).extracting(ClientDir::name)
                .containsExactlyInAnyOrderElementsOf(MACS.stream().map(FleetBootIT::clientName).toList());
        assertThat(clients).flatExtracting(ClientDir::macs)
                .containsExactlyInAnyOrderElementsOf(MACS.stream().map(MacAddress::parse).toList());
        List<String> report = new ArrayList<>();
        for (ClientDir c : clients.stream().sorted(Comparator.comparing(ClientDir::name)).toList()) {
            long held = c.readMap().heldBlocks();
            assertThat(held).as(c.name() + " holds the blocks it wrote").isPositive();
            assertThat(c.inUse()).as(c.name() + " is idle once the target stopped").isFalse();
            Cycle cycle = cycles.stream().filter(x -> clientName(x.mac()).equals(c.name())).findFirst().orElseThrow();
            report.add(String.format(Locale.ROOT, "  %s: wrote %5.1f s, listed after reboot %5.1f s; after boot+write"
                            + " %s on disk, %d blocks held; after the reboot %s, %d blocks (%s)", c.name(),
                    seconds(cycle.wrote()), seconds(cycle.listed()), kib(cycle.duWritten()), cycle.heldWritten(),
                    kib(du(c.path())), held, kib(held * OverlayMap.BLOCK_SIZE)));
        }
        ClientDir soloClient = OverlayDirectory.inspect(soloOverlays).clients().get(0);
        System.out.printf(Locale.ROOT, "FleetBootIT: golden root %s, sha256 %s before and after%n"
                        + "  one VM alone: wrote %5.1f s, listed after reboot %5.1f s; after boot+write %s on disk,"
                        + " %d blocks held; after the reboot %d blocks%n"
                        + "  four VMs at once: wrote %5.1f-%5.1f s, listed after reboot %5.1f-%5.1f s%n%s%n",
                kib(Files.size(golden)), before.substring(0, 16), seconds(solo.wrote()), seconds(solo.listed()),
                kib(solo.duWritten()), solo.heldWritten(), soloClient.readMap().heldBlocks(),
                seconds(min(cycles, Cycle::wrote)), seconds(max(cycles, Cycle::wrote)),
                seconds(min(cycles, Cycle::listed)), seconds(max(cycles, Cycle::listed)), String.join("\n", report));
    }

    /** Waits for the VM's first boot to write and reboot, and its second to list /fleet and power off. */
    static Cycle cycle(BootedVm vm, long t0, Path overlays) throws Exception {
        String mac = vm.mac();
        assertThat(vm.awaitConsole("FLEET-WROTE ", WAIT)).as(vm.transcript()).isEqualTo("FLEET-WROTE " + mac);
        Duration wrote = Duration.ofNanos(System.nanoTime() - t0);
        long duWritten = du(overlays.resolve(clientName(mac)));
        long heldWritten = OverlayDirectory.inspect(overlays).find(clientName(mac)).orElseThrow().readMap().heldBlocks();
        assertThat(vm.awaitConsole("FLEET-LISTED ", WAIT)).as(vm.transcript()).isEqualTo("FLEET-LISTED " + mac);
        Duration listed = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(vm.awaitExit(Duration.ofSeconds(60))).as("the guest powers off").isTrue();
        List<String> console = vm.console();
        int wroteAt = console.indexOf("FLEET-WROTE " + mac);
        int rebootedAt = console.indexOf("FLEET-REBOOTED " + mac);
        int listedAt = console.indexOf("FLEET-LISTED " + mac);
        assertThat(rebootedAt).as(vm.transcript()).isBetween(wroteAt + 1, listedAt - 1);
        return new Cycle(mac, wrote, listed, files(console.subList(0, wroteAt)), files(console.subList(rebootedAt, listedAt)),
                console.stream().filter(l -> l.contains("Linux version")).count(), duWritten, heldWritten);
    }

    static List<String> files(List<String> lines) {
        return lines.stream().filter(l -> l.startsWith("FLEET-FILE ")).toList();
    }

    static String clientName(String mac) {
        return ClientGroup.nameOf(MacAddress.parse(mac));
    }

    static long du(Path path) throws Exception {
        return Long.parseLong(Processes.check("du", "-s", "--block-size=1", path.toString()).split("\\s+")[0]);
    }

    static String sha256(Path file) throws Exception {
        return com.google.common.io.Files.asByteSource(file.toFile()).hash(Hashing.sha256()).toString();
    }

    static List<Cycle> concat(Cycle first, List<Cycle> rest) {
        List<Cycle> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }

    static Duration min(List<Cycle> cycles, java.util.function.Function<Cycle, Duration> f) {
        return cycles.stream().map(f).min(Comparator.naturalOrder()).orElseThrow();
    }

    static Duration max(List<Cycle> cycles, java.util.function.Function<Cycle, Duration> f) {
        return cycles.stream().map(f).max(Comparator.naturalOrder()).orElseThrow();
    }

    static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }

    static String kib(long bytes) {
        return String.format(Locale.ROOT, "%d KiB", bytes / 1024);
    }
}
