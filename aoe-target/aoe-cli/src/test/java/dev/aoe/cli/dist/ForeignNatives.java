package dev.aoe.cli.dist;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Removes from jars the native libraries built for other systems: zstd-jni carries 18 of them (6 MB) and JNA 27
 * (1.7 MB), where a Linux package needs one each; a third of the tarball otherwise. Build tooling, run by
 * {@code src/dist/build.sh} on the copies of the jars that go into the tarball and the package.
 */
public final class ForeignNatives {

    /** Where the jars keep this machine's library: JNA as linux-x86-64/, zstd-jni as linux/amd64/. */
    private static final Map<String, List<String>> OWN = Map.of(
            "amd64", List.of("/linux-x86-64/", "/linux/amd64/"),
            "aarch64", List.of("/linux-aarch64/", "/linux/aarch64/"));

    private ForeignNatives() {
    }

    public static void main(String[] args) throws IOException {
        List<String> own = OWN.get(System.getProperty("os.arch"));
        if (own == null) {
            throw new IllegalStateException("no rule for the native libraries of " + System.getProperty("os.arch"));
        }
        for (String jar : args) {
            int removed = remove(Path.of(jar), own);
            if (removed > 0) {
                System.err.println("dist: " + Path.of(jar).getFileName() + ": removed " + removed
                        + " native libraries for other systems");
            }
        }
    }

    /** Deletes every native library of JAR whose path has none of OWN in it; returns how many. */
    static int remove(Path jar, List<String> own) throws IOException {
        try (FileSystem zip = FileSystems.newFileSystem(URI.create("jar:" + jar.toUri()), Map.of())) {
            List<Path> foreign;
            try (Stream<Path> entries = Files.walk(zip.getPath("/"))) {
                foreign = entries.filter(Files::isRegularFile)
                        .filter(p -> p.toString().matches(".*\\.(so|dll|dylib|jnilib|a)"))
                        .filter(p -> own.stream().noneMatch(p.toString()::contains))
                        .collect(Collectors.toList());
            }
            for (Path p : foreign) {
                Files.delete(p);
            }
            return foreign.size();
        }
    }
}
