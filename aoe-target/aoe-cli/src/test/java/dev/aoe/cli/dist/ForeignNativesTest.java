package dev.aoe.cli.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForeignNativesTest {

    @TempDir
    Path dir;

    @Test
    void keepsClassesAndThisSystemsLibrariesOnly() throws Exception {
        Path jar = dir.resolve("natives.jar");
        List<String> names = List.of("com/sun/jna/Native.class", "com/sun/jna/linux-x86-64/libjnidispatch.so",
                "com/sun/jna/win32-x86-64/jnidispatch.dll", "com/sun/jna/darwin-aarch64/libjnidispatch.jnilib",
                "linux/amd64/libzstd-jni.so", "linux/aarch64/libzstd-jni.so", "darwin/x86_64/libzstd-jni.dylib",
                "META-INF/LICENSE");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
            for (String name : names) {
                out.putNextEntry(new JarEntry(name));
                out.write(name.getBytes());
            }
        }

        assertThat(ForeignNatives.remove(jar, List.of("/linux-x86-64/", "/linux/amd64/"))).isEqualTo(4);

        List<String> left = new ArrayList<>();
        try (JarFile read = new JarFile(jar.toFile())) {
            read.stream().filter(e -> !e.isDirectory()).forEach(e -> left.add(e.getName()));
        }
        assertThat(left).containsExactlyInAnyOrder("com/sun/jna/Native.class", "com/sun/jna/linux-x86-64/libjnidispatch.so",
                "linux/amd64/libzstd-jni.so", "META-INF/LICENSE");
    }
}
