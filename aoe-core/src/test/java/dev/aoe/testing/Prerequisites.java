package dev.aoe.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Integration-test gates. Outside CI a missing prerequisite skips the test with a printed reason;
 * with {@code CI=true} it fails, so CI can never pass by skipping.
 */
public final class Prerequisites {

    private Prerequisites() {
    }

    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    public static void require(boolean present, String what) {
        if (present) {
            return;
        }
        String reason = "prerequisite missing: " + what;
        if (inCi()) {
            Assertions.fail(reason + " (CI=true, so this fails instead of skipping)");
        }
        System.err.println("SKIPPED: " + reason);
        Assumptions.abort(reason);
    }

    public static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    public static void requireRoot() {
        require(isRoot(), "root (network namespaces and raw sockets); run the suite as root");
    }

    public static Path findCommand(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            for (String base : new String[] {dir, "/usr/sbin", "/sbin"}) {
                Path p = Path.of(base, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    public static Path requireCommand(String name, String debianPackage) {
        Path p = findCommand(name);
        require(p != null, "command '" + name + "' (apt-get install " + debianPackage + ")");
        return p;
    }

    public static void requireLibpcap() {
        boolean found = Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libpcap.so.0.8"))
                || Files.exists(Path.of("/usr/lib/aarch64-linux-gnu/libpcap.so.0.8"))
                || Files.exists(Path.of("/usr/lib/libpcap.so.0.8"));
        require(found, "libpcap (apt-get install libpcap0.8)");
    }
}
