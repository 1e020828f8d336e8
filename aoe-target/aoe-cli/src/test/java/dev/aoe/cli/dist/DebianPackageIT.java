package dev.aoe.cli.dist;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aoe.cli.main.AoeMain;
import dev.aoe.testing.NetworkNamespace;
import dev.aoe.testing.Prerequisites;
import dev.aoe.testing.Processes;
import dev.aoe.testing.TargetProcess;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Debian package as built: lintian finds no error, systemd accepts the unit, the control data and the files are
 * where Debian wants them, every bundled jar has a copyright stanza, and the unpacked package runs. Nothing is
 * installed: the package is unpacked with dpkg-deb into a temporary directory.
 */
class DebianPackageIT {

    @TempDir
    static Path root;

    static Path deb;

    @BeforeAll
    static void unpack() throws Exception {
        deb = DistArtifacts.deb();
        Processes.check("dpkg-deb", "-x", deb.toString(), root.toString());
    }

    @Test
    void lintianFindsNoError() throws Exception {
        Path lintian = Prerequisites.requireCommand("lintian", "lintian");
        // lintian takes half a minute here, longer than Processes' limit for short commands
        Process p = new ProcessBuilder(lintian.toString(), "--pedantic", deb.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        System.err.println("lintian --pedantic " + deb.getFileName() + ":\n" + out);
        assertThat(out.lines().filter(l -> l.startsWith("E:"))).isEmpty();
        assertThat(p.exitValue()).as(out).isZero();
    }

    @Test
    void controlDependsOnLibpcapAndTheRuntimesLibraries() throws Exception {
        String depends = Processes.check("dpkg-deb", "-f", deb.toString(), "Depends");
        assertThat(depends).startsWith("libpcap0.8, ").contains("libc6 (>= ", "zlib1g");
        assertThat(Processes.check("dpkg-deb", "-f", deb.toString(), "Package", "Architecture", "Section"))
                .isEqualTo("Package: aoe\nArchitecture: amd64\nSection: net\n");
        assertThat(Processes.check("dpkg-deb", "--info", deb.toString(), "conffiles"))
                .isEqualTo("/etc/aoe/exports.d/example.conf\n");
    }

    @Test
    void filesAreWhereDebianWantsThem() throws Exception {
        assertThat(Files.readSymbolicLink(root.resolve("usr/bin/aoe"))).isEqualTo(Path.of("../lib/aoe/bin/aoe"));
        assertThat(root.resolve("usr/lib/aoe/runtime/bin/java")).isExecutable();
        assertThat(root.resolve("usr/lib/aoe/native/libjnidispatch.so")).isRegularFile();
        assertThat(root.resolve("usr/share/aoe/lib/picocli-4.7.7.jar")).isRegularFile();
        assertThat(root.resolve("usr/share/bash-completion/completions/aoe")).isRegularFile();
        assertThat(root.resolve("lib/systemd/system/aoe-target.service")).isRegularFile();
        assertThat(root.resolve("etc/aoe/exports.d/example.conf")).isRegularFile();
        assertThat(root.resolve("var/lib/aoe")).isDirectory();
        assertThat(root.resolve("usr/share/doc/aoe/copyright")).isRegularFile();
        List<String> pages = DistDocs.commands(AoeMain.root()).stream()
                .map(c -> c.getCommandSpec().qualifiedName("-") + ".1.gz").collect(Collectors.toList());
        try (Stream<Path> man = Files.list(root.resolve("usr/share/man/man1"))) {
            assertThat(man.map(p -> p.getFileName().toString())).as("a man page for aoe and each verb")
                    .containsExactlyInAnyOrderElementsOf(pages);
        }
    }

    @Test
    void everyBundledJarAndLibraryHasItsOwnCopyrightStanza() throws Exception {
        List<PathMatcher> stanzas = new ArrayList<>();
        boolean files = false;
        for (String line : Files.readAllLines(root.resolve("usr/share/doc/aoe/copyright"))) {
            if (line.startsWith("Files:")) {
                files = true;
                line = line.substring("Files:".length());
            } else if (!line.startsWith(" ")) {
                files = false;
            }
            if (files) {
                for (String pattern : line.trim().split("\\s+")) {
                    if (!pattern.equals("*")) {
                        stanzas.add(FileSystems.getDefault().getPathMatcher("glob:" + pattern));
                    }
                }
            }
        }
        List<Path> bundled = new ArrayList<>();
        for (String dir : List.of("usr/share/aoe/lib", "usr/lib/aoe/native")) {
            try (Stream<Path> s = Files.list(root.resolve(dir))) {
                s.map(root::relativize).forEach(bundled::add);
            }
        }
        assertThat(bundled).hasSizeGreaterThan(15);
        assertThat(bundled).filteredOn(p -> !p.getFileName().toString().startsWith("aoe-")
                        && !p.getFileName().toString().startsWith("initrd-gen-"))
                .allSatisfy(p -> assertThat(stanzas).as(p + " has a Files: stanza").anyMatch(m -> m.matches(p)));
    }

    @Test
    void theUnpackedCommandRunsOnItsOwnRuntime() throws Exception {
        String version = Processes.check(root.resolve("usr/bin/aoe").toString(), "--version");
        assertThat(version).startsWith("aoe ").contains("JVM: ");
    }

    @Test
    void systemdAcceptsTheUnit() throws Exception {
        Path analyze = Prerequisites.requireCommand("systemd-analyze", "systemd");
        Path unit = root.resolve("lib/systemd/system/aoe-target.service");
        String text = Files.readString(unit);
        assertThat(text).contains("\nExecStart=/usr/bin/aoe target --config-dir /etc/aoe/exports.d --state-dir /var/lib/aoe\n",
                "\nExecReload=/bin/kill -HUP $MAINPID\n", "\nRestart=on-failure\n", "CAP_NET_RAW", "AF_PACKET");
        // verify checks that ExecStart's program and the Documentation= man pages exist; the package is not
        // installed, so the copy points at the unpacked command and man looks in the unpacked pages
        Path copy = Files.writeString(Files.createDirectories(root.resolve("verify")).resolve("aoe-target.service"),
                text.replace("ExecStart=/usr/bin/aoe ", "ExecStart=" + root.resolve("usr/bin/aoe") + " "));
        ProcessBuilder pb = new ProcessBuilder(analyze.toString(), "verify", copy.toString()).redirectErrorStream(true);
        pb.environment().putAll(Map.of("MANPATH", root.resolve("usr/share/man").toString()));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(out).as("systemd-analyze verify says nothing").isEmpty();
        assertThat(p.exitValue()).isZero();
    }

    /**
     * The unit keeps root only the capabilities in its CapabilityBoundingSet, under NoNewPrivileges. With exactly
     * those (applied with setpriv, as systemd would) the target serves a file that belongs to another user and
     * sits in that user's private directory, and an initiator reads it; with CAP_NET_RAW alone it cannot open
     * the file, which is why the unit keeps CAP_DAC_OVERRIDE.
     */
    @Test
    void theUnitsCapabilitiesServeRawEthernetAndFilesOfAnyOwner(@TempDir Path dir) throws Exception {
        Prerequisites.requireRoot();
        String setpriv = Prerequisites.requireCommand("setpriv", "util-linux").toString();
        String unit = Files.readString(root.resolve("lib/systemd/system/aoe-target.service"));
        String bounding = unit.lines().filter(l -> l.startsWith("CapabilityBoundingSet=")).findFirst().orElseThrow()
                .substring("CapabilityBoundingSet=".length()).trim();
        assertThat(unit).contains("\nNoNewPrivileges=yes\n");
        Path home = Files.createDirectory(dir.resolve("someone"));
        byte[] image = new byte[1 << 20];
        new Random(5).nextBytes(image);
        Path file = Files.write(home.resolve("disk.img"), image);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
        Processes.check("chown", "-R", "65534:65534", home.toString());
        String aoe = root.resolve("usr/bin/aoe").toString();
        Path copy = dir.resolve("copy.img");
        try (NetworkNamespace ns = NetworkNamespace.create(1500)) {
            List<String> onlyRaw = List.of(ns.exec(setpriv, "--bounding-set=-all,+net_raw", "--inh-caps=-all",
                    "--no-new-privs", "--", aoe, "target", "0", "9", ns.inside(), file.toString()));
            Processes.Result refused = Processes.run(onlyRaw);
            assertThat(refused.exitCode()).as(refused.output()).isEqualTo(1);
            assertThat(refused.output()).startsWith("aoe target: e0.9: " + file);

            List<String> asTheUnit = List.of(ns.exec(setpriv, "--bounding-set=-all," + capabilities(bounding),
                    "--inh-caps=-all", "--no-new-privs", "--", aoe, "target", "0", "9", ns.inside(), file.toString()));
            try (TargetProcess target = TargetProcess.start(asTheUnit, 1)) {
                Processes.check(aoe, "read", "e0.9", "-i", ns.outside(), "-o", copy.toString());
                assertThat(target.stop()).isZero();
            }
        }
        assertThat(Files.readAllBytes(copy)).isEqualTo(image);
    }

    /** "CAP_NET_RAW CAP_DAC_OVERRIDE" as setpriv writes it: "+net_raw,+dac_override". */
    private static String capabilities(String unitValue) {
        return Arrays.stream(unitValue.split("\\s+"))
                .map(c -> "+" + c.toLowerCase(Locale.ROOT).substring("cap_".length()))
                .collect(Collectors.joining(","));
    }
}
