package dev.aoe.initrd.modules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aoe.boot.BootImages;
import dev.aoe.boot.DebianKernel;
import dev.aoe.testing.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resolution on Debian's 6.1 tree against kmod's own {@code modprobe --show-depends}. It lives here, beside the
 * boot tests, because the kernel comes from aoe-boot's {@link DebianKernel}, which initrd-gen must not depend on.
 */
class KernelModulesIT {

    static final List<String> MODULES = List.of("virtio_pci", "virtio_net", "e1000", "ext4", "aoe", "raid1", "raid10",
            "dm_mod", "crc32c");

    @TempDir
    Path dir;

    List<String> modprobe(DebianKernel kernel, String module) throws Exception {
        List<String> files = new ArrayList<>();
        String prefix = kernel.modulesDir() + "/";
        for (String line : Processes.check("modprobe", "-d", kernel.root().toString(), "-S", kernel.version(),
                "--show-depends", module).lines().toList()) {
            String[] w = line.trim().split("\\s+");
            if (w[0].equals("insmod")) {
                files.add(w[1].substring(prefix.length()));
            }
        }
        return files;
    }

    @Test
    void sameOrderAsModprobeWithDepmodsFiles() throws Exception {
        DebianKernel kernel = BootImages.kernel();
        KernelModules k = KernelModules.open(kernel.modulesDir());
        for (String m : MODULES) {
            assertThat(k.resolve(List.of(m))).as(m).containsExactlyElementsOf(modprobe(kernel, m));
        }
    }

    /**
     * A kernel .deb ships no modules.dep: the same modules come from each .ko's .modinfo, every module
     * after its dependencies.
     */
    @Test
    void sameModulesFromModinfoAlone() throws Exception {
        DebianKernel kernel = BootImages.kernel();
        Path raw = dir.resolve(kernel.version());
        Processes.check("cp", "-a", kernel.modulesDir().toString(), raw.toString());
        for (String depmodFile : List.of("modules.dep", "modules.dep.bin", "modules.softdep", "modules.alias",
                "modules.alias.bin", "modules.symbols", "modules.symbols.bin", "modules.builtin.alias.bin",
                "modules.devname")) {
            Files.deleteIfExists(raw.resolve(depmodFile));
        }
        KernelModules withDepmod = KernelModules.open(kernel.modulesDir());
        KernelModules fromModinfo = KernelModules.open(raw);
        Map<String, List<String>> dependencies = new HashMap<>();
        for (String line : Files.readAllLines(kernel.modulesDir().resolve("modules.dep"))) {
            String[] parts = line.split(":", 2);
            dependencies.put(parts[0], parts[1].isBlank() ? List.of() : List.of(parts[1].trim().split("\\s+")));
        }
        for (String m : MODULES) {
            List<String> order = fromModinfo.resolve(List.of(m));
            assertThat(Set.copyOf(order)).as(m).isEqualTo(Set.copyOf(withDepmod.resolve(List.of(m))));
            Set<String> loaded = new LinkedHashSet<>();
            for (String ko : order) {
                assertThat(loaded).as("%s: dependencies of %s load first", m, ko).containsAll(dependencies.get(ko));
                loaded.add(ko);
            }
        }
    }
}
