package dev.aoe.cli.main;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aoe.cli.Cli;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AoeMainTest {

    private static final Set<String> EVERY_VERB = AoeMain.root().getSubcommands().keySet();

    @ParameterizedTest
    @CsvSource({"read, read", "target, target", "identify, ping", "overlay, overlay"})
    void aVerbNamedFirstIsTheOnlyOneBuilt(String typed, String verb) {
        Set<String> built = AoeMain.rootFor(typed, "e0.1").getSubcommands().keySet();

        assertTrue(built.contains(verb), built::toString);
        assertTrue(built.stream().allMatch(name -> name.equals(verb) || name.equals(typed)), built::toString);
    }

    @ParameterizedTest
    @CsvSource(value = {"--help", "help read", "reed e0.1", "-V", "''"}, emptyValue = "")
    void anythingElseGetsEveryVerb(String line) {
        String[] args = line.isEmpty() ? new String[0] : line.split(" ");

        assertEquals(EVERY_VERB, AoeMain.rootFor(args).getSubcommands().keySet());
    }

    @Test
    void theHelpOfTheRootStillListsEveryVerbAndAVerbsHelpItsOwnOptions() {
        String root = Cli.run("--help").out();
        String read = Cli.run("read", "--help").out();
        Cli.Run typo = Cli.run("reed", "e0.1");

        for (String verb : List.of("target", "discover", "read", "write", "boot", "relay")) {
            assertTrue(root.contains("  " + verb + " "), () -> verb + " missing from\n" + root);
        }
        assertTrue(read.contains("--keep-partial"), read);
        assertEquals(2, typo.exit(), typo.err());
        assertTrue(typo.err().contains("reed"), typo.err());
    }
}
