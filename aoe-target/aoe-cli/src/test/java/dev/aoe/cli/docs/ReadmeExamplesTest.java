package dev.aoe.cli.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library examples of the README compile as printed: every {@code ```java} block that is a whole
 * compilation unit (it starts with its imports) is compiled against the libraries' class path.
 */
class ReadmeExamplesTest {

    private static final Pattern BLOCK = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL);
    private static final Pattern CLASS = Pattern.compile("public (?:final )?class (\\w+)");

    @TempDir
    Path out;

    @Test
    void everyCompleteJavaExampleOfTheReadmeCompiles() throws Exception {
        String readme = Files.readString(Path.of("../../README.md"));
        List<JavaFileObject> units = new ArrayList<>();
        Matcher m = BLOCK.matcher(readme);
        while (m.find()) {
            String code = m.group(1);
            if (!code.startsWith("import ")) {
                continue;
            }
            Matcher name = CLASS.matcher(code);
            assertThat(name.find()).as("a public class in:\n%s", code).isTrue();
            units.add(new SimpleJavaFileObject(URI.create("string:///" + name.group(1) + ".java"),
                    JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return code;
                }
            });
        }
        assertThat(units).as("complete Java examples in the README").hasSizeGreaterThanOrEqualTo(2);
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        boolean ok = compiler.getTask(null, null, diagnostics, List.of("-classpath", classPath, "-d", out.toString(),
                "--release", "17"), null, units).call();
        StringBuilder errors = new StringBuilder();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            errors.append(d).append('\n');
        }
        assertThat(ok).as("the README's examples compile:\n%s", errors).isTrue();
    }
}
