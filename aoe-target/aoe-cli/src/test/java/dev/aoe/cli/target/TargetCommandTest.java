package dev.aoe.cli.target;

import dev.aoe.cli.Cli;
import dev.aoe.cli.Cli.Run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aoe.cli.CommandLines;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** Every refusal is one line on stderr and a non-zero exit, before anything is exported. */
class TargetCommandTest {

    @TempDir
    Path dir;

    static Run run(String... args) {
        return Cli.run(args);
    }

    Path image() throws Exception {
        Path p = dir.resolve("disk.img");
        Files.write(p, new byte[4096]);
        return p;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "broadcast shelf | 65535 | 1 | shelf 65535 is outside 0..65534 (65535 is the broadcast shelf and cannot be exported)",
        "broadcast slot  | 0 | 255 | slot 255 is outside 0..254 (255 is the broadcast slot and cannot be exported)",
        "negative shelf  | -1 | 1 | shelf -1 is outside 0..65534 (65535 is the broadcast shelf and cannot be exported)"})
    void refusesAddressesThatCannotBeExported(String what, String shelf, String slot, String message) throws Exception {
        Run r = run("target", shelf, slot, "lo", image().toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("aoe target: command line: " + message + System.lineSeparator());
    }

    @Test
    void missingFileSaysSo() {
        Run r = run("target", "0", "1", "lo", dir.resolve("nope.img").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("aoe target: e0.1: " + dir.resolve("nope.img") + ": no such file (give --size to create it)");
    }

    @Test
    void missingInterfaceSaysSo() throws Exception {
        Run r = run("target", "0", "1", "aoetnosuch0", image().toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("aoe target: network interface 'aoetnosuch0' not found (see 'ip link')");
    }

    @Test
    void tooSmallBufferCountIsRefused() throws Exception {
        Run r = run("target", "-b", "1", "0", "1", "lo", image().toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--bufcnt 1 is outside 2..65535");
    }

    @Test
    void duplicateExportsInAConfigFileAreRefusedWithTheirLine() throws Exception {
        Path img = image();
        Path config = dir.resolve("exports");
        Files.writeString(config, "# exports\n0 1 lo " + img + "\n\n0 2 lo " + img + " --read-only\n0 1 lo " + img + "\n");
        Run r = run("target", "--config", config.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("aoe target: " + config + ":5: e0.1 is exported twice on lo");
    }

    @Test
    void badConfigLinesAreUsageErrorsNamingTheLine() throws Exception {
        Path config = dir.resolve("exports");
        Files.writeString(config, "0 1 lo\n");
        Run r = run("target", "--config", config.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("aoe target: " + config + ":1: Missing required parameter");
        assertThat(run("target", "--config", dir.resolve("none").toString()).err()).contains("no such file");
    }

    @Test
    void configAndPositionalArgumentsExcludeEachOther() throws Exception {
        Run r = run("target", "--config", "x", "0", "1", "lo", image().toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("give one of --config FILE, --config-dir DIR or SHELF SLOT IFACE FILE");
        assertThat(run("target", "0", "1").err()).contains("missing arguments: SHELF SLOT IFACE FILE");
    }

    @Test
    void badOptionValuesAreUsageErrors() throws Exception {
        Run r = run("target", "--size", "12Q", "0", "1", "lo", image().toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("'12Q' is not a size");
        Run mac = run("target", "-m", "01:02", "0", "1", "lo", image().toString());
        assertThat(mac.err()).contains("not a MAC address: '01:02'");
    }

    @Test
    void shrinkingSizeAndBadWindowAreRefused() throws Exception {
        Path img = image();
        assertThat(run("target", "--size", "1K", "0", "1", "lo", img.toString()).err()).contains("refusing to shrink");
        assertThat(run("target", "-o", "8", "0", "1", "lo", img.toString()).err()).contains("--offset 8 is past the end");
    }

    @Test
    void statsWithoutARunningTargetSaysSo() {
        Run r = run("target", "--stats");
        if (r.exit() == 0) {
            assertThat(r.out()).contains("aoe target pid");   // another target runs on this machine
        } else {
            assertThat(r.err()).contains("no running target found");
        }
    }

    @Test
    void aZeroLengthIsAUsageErrorNotTheWholeFile() throws Exception {
        Run r = run("target", "-l", "0", "0", "1", "lo", image().toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("--length 0 must be at least 1 sector");
    }

    @Test
    void aStateDirectoryThatIsAFileIsRefusedAtStart() throws Exception {
        Path notADir = Files.writeString(dir.resolve("state"), "x");
        Run r = run("target", "--state-dir", notADir.toString(), "0", "1", "lo", image().toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("aoe target: state directory " + notADir + " is a file, not a directory");
    }

    @Test
    void configLinesSplitLikeAShell() {
        assertThat(ConfigFile.words("0 1 eth0 \"/srv/my disk.img\" -b 8   # a comment"))
                .containsExactly("0", "1", "eth0", "/srv/my disk.img", "-b", "8");
        assertThat(ConfigFile.words("0 2 eth0 '/srv/it''s here.img'")).containsExactly("0", "2", "eth0", "/srv/its here.img");
        assertThat(ConfigFile.words("0 3 eth0 /srv/a\\ b.img")).containsExactly("0", "3", "eth0", "/srv/a b.img");
        assertThat(ConfigFile.words("   # only a comment")).isEmpty();
    }

    @Test
    void anUnclosedQuoteNamesItsLine() throws Exception {
        Path config = Files.writeString(dir.resolve("exports.conf"), "# exports\n0 1 lo \"/srv/disk.img\n");
        Run r = run("target", "--config", config.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("aoe target: " + config + ":2: a \" quote is not closed");
    }
}
