package dev.aoe.cli.dist;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aoe.cli.main.AoeMain;
import dev.aoe.testing.Processes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The man pages and the completion script come from the picocli model: every verb, readable markup. */
class DistDocsTest {

    @TempDir
    static Path dir;

    static Path adoc;
    static Path completion;

    @BeforeAll
    static void generate() throws Exception {
        adoc = dir.resolve("adoc");
        completion = dir.resolve("completion/aoe");
        DistDocs.write(adoc, completion);
    }

    @Test
    void onePagePerCommandOfTheRoot() throws Exception {
        Set<String> expected = DistDocs.commands(AoeMain.root()).stream()
                .map(c -> c.getCommandSpec().qualifiedName("-") + ".adoc").collect(Collectors.toSet());
        try (Stream<Path> files = Files.list(adoc)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrderElementsOf(expected);
        }
        assertThat(expected).contains("aoe.adoc", "aoe-target.adoc", "aoe-read.adoc", "aoe-help.adoc");
    }

    @Test
    void footersBecomeANotesSection() throws Exception {
        assertThat(Files.readString(adoc.resolve("aoe.adoc"))).contains("== Notes").contains("Exit codes: 0 success");
        assertThat(Files.readString(adoc.resolve("aoe-target.adoc"))).contains("== Notes").contains("Examples:");
    }

    @Test
    void synopsisLabelsWithBracketsAreEscaped() throws Exception {
        String target = Files.readString(adoc.resolve("aoe-target.adoc"));
        String synopsis = target.substring(target.indexOf("== Synopsis"), target.indexOf("== Description"));
        assertThat(synopsis.lines().filter(l -> l.startsWith("*aoe target*")).count()).as("one unwrapped line").isOne();
        assertThat(synopsis).contains("_IFACE[,IFACE...{endsb}_").doesNotContain("]_").doesNotContain("]*");
    }

    @Test
    void escapingTouchesOnlyTheSynopsis() {
        String page = "== Synopsis\n\n*aoe x* [_A[,A...]_]\n\n// end::s[]\n\n== Options\n\n*-m*=_A[,A...]_::\n";
        assertThat(DistDocs.escapeSynopsis(page))
                .isEqualTo("== Synopsis\n\n*aoe x* [_A[,A...{endsb}_]\n\n// end::s[]\n\n== Options\n\n*-m*=_A[,A...]_::\n");
    }

    @Test
    void completionHasNoHashbangAndCompletesVerbsAndOptions() throws Exception {
        String script = Files.readString(completion);
        assertThat(script).doesNotStartWith("#!").contains("complete -F _complete_aoe");
        assertThat(complete("aoe ta")).containsExactly("target");
        assertThat(complete("aoe target --stat")).containsExactly("--state-dir", "--stats");
        assertThat(complete("aoe help re")).containsExactly("read", "relay");
    }

    /** What bash offers for the last word of LINE, with the generated script sourced. */
    private static List<String> complete(String line) throws Exception {
        String words = line.endsWith(" ") ? line + "''" : line;
        // compopt only works inside a completion bash itself started; here it would just complain
        String program = "compopt() { :; }; source '" + completion + "'\n"
                + "COMP_WORDS=(" + words + "); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n"
                + "COMP_LINE='" + line + "'; COMP_POINT=${#COMP_LINE}\n"
                + "_complete_aoe; printf '%s\\n' \"${COMPREPLY[@]}\" | sort\n";
        Processes.Result r = Processes.run(List.of("bash", "-c", program));
        assertThat(r.exitCode()).as(r.output()).isZero();
        return r.output().lines().filter(s -> !s.isBlank()).map(String::strip).collect(Collectors.toList());
    }
}
