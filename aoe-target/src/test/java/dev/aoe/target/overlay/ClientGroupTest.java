package dev.aoe.target.overlay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aoe.ethernet.MacAddress;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClientGroupTest {

    static final MacAddress A = MacAddress.parse("52:54:00:00:00:0a");
    static final MacAddress B = MacAddress.parse("52:54:00:00:00:0b");

    @Test
    void parsesAClientLine() {
        ClientGroup g = ClientGroup.parse("  client lab-pc.01   52:54:00:00:00:0a,52-54-00-00-00-0b ");
        assertThat(g.name()).isEqualTo("lab-pc.01");
        assertThat(g.macs()).containsExactly(A, B);
    }

    @Test
    void aMacInNoGroupIsNamedAfterItself() {
        assertThat(ClientGroup.nameOf(A)).isEqualTo("52-54-00-00-00-0a");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "client pc1|expected 'client NAME MAC[,MAC...]', got 'client pc1'",
        "host pc1 52:54:00:00:00:0a|expected 'client NAME MAC[,MAC...]', got 'host pc1 52:54:00:00:00:0a'",
        "client pc1 52:54:00:00:00|not a MAC address: '52:54:00:00:00' (expected aa:bb:cc:dd:ee:ff)",
        "client ../etc 52:54:00:00:00:0a|client name '../etc' is not 1-64 letters, digits, '.', '_' or '-' starting with a"
            + " letter or digit",
        "client 52-54-00-00-00-0b 52:54:00:00:00:0a|client name '52-54-00-00-00-0b' looks like a MAC's own name"
            + " (aa-bb-cc-dd-ee-ff): choose another",
        "client pc1 52:54:00:00:00:0a,52:54:00:00:00:0a|client pc1 lists a MAC address twice",
    })
    void badLinesSayWhatIsWrong(String line, String message) {
        assertThatThrownBy(() -> ClientGroup.parse(line)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void optionsRefuseAMacInTwoGroupsAndANameTwice() {
        OverlayOptions base = OverlayOptions.persistent(Path.of("/tmp/o"));
        assertThatThrownBy(() -> base.withClients(List.of(new ClientGroup("a", List.of(A)),
                new ClientGroup("b", List.of(B, A))))).hasMessage("MAC 52:54:00:00:00:0a is in two clients (one overlay each)");
        assertThatThrownBy(() -> base.withClients(List.of(new ClientGroup("a", List.of(A)),
                new ClientGroup("a", List.of(B))))).hasMessage("client a is defined twice");
    }

    @Test
    void optionsFitTheirMode() {
        assertThatThrownBy(() -> OverlayOptions.memory(0)).hasMessage("in-memory overlays need a size cap above 0");
        assertThatThrownBy(() -> OverlayOptions.memory(1 << 20).withSync(true))
                .hasMessage("in-memory overlays cannot be synced to disk (--sync)");
        assertThatThrownBy(() -> new OverlayOptions(OverlayOptions.Mode.EPHEMERAL, null, 0, false, List.of(),
                OverlayOptions.DEFAULT_RESET_CHECK)).hasMessage("overlays in mode ephemeral need a directory");
        assertThat(OverlayOptions.persistent(Path.of("/o")).withSync(true).sync()).isTrue();
    }
}
