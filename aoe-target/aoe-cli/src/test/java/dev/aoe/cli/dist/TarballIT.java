package dev.aoe.cli.dist;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aoe.testing.NetworkNamespace;
import dev.aoe.testing.Prerequisites;
import dev.aoe.testing.Processes;
import dev.aoe.testing.TargetProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tarball on a machine without Java. Unpacked into a temporary directory, its {@code bin/aoe} runs with an
 * environment that holds nothing but a PATH of the few tools the launcher uses (no {@code java}, no JAVA_HOME),
 * inside a mount namespace where /usr/lib/jvm, home of every Debian JDK and of the {@code java} alternative, is an
 * empty tmpfs. It tells its version, runs on its own runtime, and exports a file in a network namespace that
 * {@code bin/aoe read} on the outside end reads back byte for byte.
 */
class TarballIT {

    @TempDir
    Path dir;

    private Path tools;

    @Test
    void runsAnExportAndAReadWithNoJavaOnTheMachine() throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireCommand("unshare", "util-linux");
        Path tarball = DistArtifacts.tarball();
        Processes.check("tar", "-C", dir.toString(), "-xJf", tarball.toString());
        Path home;
        try (Stream<Path> top = Files.list(dir)) {
            home = top.filter(p -> p.getFileName().toString().startsWith("aoe-")).findFirst().orElseThrow();
        }
        String aoe = home.resolve("bin/aoe").toString();
        tools = Files.createDirectory(dir.resolve("tools"));
        for (String tool : List.of("sh", "readlink", "dirname")) {
            Files.createSymbolicLink(tools.resolve(tool), Prerequisites.requireCommand(tool, "coreutils"));
        }

        assertThat(check(List.of(), "sh", "-c", "command -v java; echo \"JAVA_HOME=$JAVA_HOME\"; "
                + "for f in /usr/lib/jvm/*; do [ ! -e \"$f\" ] || echo \"$f\"; done"))
                .as("no java on the PATH, no JAVA_HOME, no JDK").isEqualTo("JAVA_HOME=\n");
        assertThat(check(List.of(), aoe, "--version"))
                .startsWith("aoe " + home.getFileName().toString().substring("aoe-".length()) + " ");
        assertThat(check(List.of("AOE_JAVA_OPTS=-XshowSettings:properties"), aoe, "--version"))
                .as("AOE_JAVA_OPTS reaches the JVM, which is the bundled one")
                .contains("java.home = " + home.resolve("runtime") + "\n");
        assertThat(check(List.of("AOE_JAVA_OPTS=-XX:+UseLargePages"), "sh", "-c", aoe + " --version 2>/dev/null"))
                .as("the JVM's warnings (here: no large pages) go to stderr, never among the data on stdout")
                .startsWith("aoe ").doesNotContain("warning");
        assertThat(check(List.of("AOE_JAVA_OPTS=-Xshare:on"), aoe, "--version"))
                .as("the runtime has its class-data archive (-Xshare:on fails to start without one)")
                .startsWith("aoe ");

        byte[] image = new byte[3 << 20];
        new Random(11).nextBytes(image);
        Path file = Files.write(dir.resolve("disk.img"), image);
        Path copy = dir.resolve("copy.img");
        try (NetworkNamespace ns = NetworkNamespace.create(1500)) {
            List<String> target = new ArrayList<>(List.of(ns.exec()));
            target.addAll(withoutJava(List.of(), aoe, "target", "0", "7", ns.inside(), file.toString()));
            try (TargetProcess t = TargetProcess.start(target, 1)) {
                String read = check(List.of("AOE_JAVA_OPTS=-Djna.debug_load.jna=true"),
                        aoe, "read", "e0.7", "-i", ns.outside(), "-o", copy.toString());
                assertThat(read).as("JNA's library comes from native/, not unpacked to /tmp")
                        .contains("Found jnidispatch at " + home.resolve("native/libjnidispatch.so"));
                assertThat(t.stop()).isZero();
            }
        }
        assertThat(Files.readAllBytes(copy)).isEqualTo(image);
    }

    /** COMMAND as on a machine with no Java: only {@link #tools} on the PATH, ENV and nothing else, no /usr/lib/jvm. */
    private List<String> withoutJava(List<String> env, String... command) {
        List<String> full = new ArrayList<>(List.of("unshare", "--mount", "--", "sh", "-c",
                "[ ! -d /usr/lib/jvm ] || mount -t tmpfs aoet-nojava /usr/lib/jvm; exec \"$@\"", "sh",
                "env", "-i", "PATH=" + tools));
        full.addAll(env);
        full.addAll(List.of(command));
        return full;
    }

    private String check(List<String> env, String... command) throws Exception {
        Processes.Result r = Processes.run(withoutJava(env, command));
        assertThat(r.exitCode()).as(String.join(" ", command) + ": " + r.output()).isZero();
        return r.output();
    }
}
