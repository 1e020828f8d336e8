package dev.aoe.cli.dist;

import dev.aoe.testing.Prerequisites;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The tarball and the Debian package that {@code mvn -Pdist package} built into the directory the failsafe
 * property {@code aoe.dist.dir} names. Without them a test skips (fails with CI=true): {@code ./aoe test} builds
 * them, a plain {@code mvn verify} does not.
 */
final class DistArtifacts {

    private DistArtifacts() {
    }

    static Path tarball() throws IOException {
        return find("aoe-*-linux-*.tar.xz");
    }

    static Path deb() throws IOException {
        return find("aoe_*.deb");
    }

    private static Path find(String glob) throws IOException {
        Path dir = Path.of(System.getProperty("aoe.dist.dir", "target/dist"));
        List<Path> found = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, glob)) {
                files.forEach(found::add);
            }
        }
        Prerequisites.require(found.size() == 1, "exactly one " + glob + " in " + dir + " (found " + found.size()
                + "; build with the dist profile: ./aoe test, ./aoe dist or mvn -Pdist package)");
        return found.get(0);
    }
}
