package dev.aoe.initiator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aoe.ethernet.MacAddress;
import dev.aoe.initiator.TargetInfo.PathInfo;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AoeAddressTest {

    @ParameterizedTest
    @CsvSource({"e1.2, 1, 2", "1.2, 1, 2", "/dev/etherd/e65534.254, 65534, 254", " e0.0 , 0, 0"})
    void parsesWhatAoetoolsWrite(String text, int shelf, int slot) {
        assertThat(AoeAddress.parse(text)).isEqualTo(new AoeAddress(shelf, slot))
                .hasToString("e" + shelf + "." + slot);
    }

    @ParameterizedTest
    @ValueSource(strings = {"e1", "e1.", "ex.2", "e65535.1", "e1.255", "e-1.2"})
    void rejectsWhatIsNotAnAddress(String text) {
        assertThatThrownBy(() -> AoeAddress.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everyAddressHasItsOwnHashAndEqualsOnlyItself() {
        Set<Integer> hashes = new HashSet<>();
        for (int shelf : new int[] {0, 1, 2, 255, 256, 65534}) {
            for (int slot : new int[] {0, 1, 254}) {
                AoeAddress a = new AoeAddress(shelf, slot);
                assertThat(a).isEqualTo(new AoeAddress(shelf, slot)).isNotEqualTo(new AoeAddress(shelf, slot == 0 ? 1 : 0));
                assertThat(hashes.add(a.hashCode())).as("hash of %s", a).isTrue();
            }
        }
    }

    @Test
    void pathsAreEqualWhenInterfaceAndMacAre() {
        MacAddress mac = MacAddress.parse("52:54:00:00:00:01");
        PathInfo path = new PathInfo("eth0", mac);

        assertThat(path).isEqualTo(new PathInfo("eth0", MacAddress.parse("52-54-00-00-00-01")))
                .hasSameHashCodeAs(new PathInfo("eth0", mac))
                .isNotEqualTo(new PathInfo("eth1", mac))
                .isNotEqualTo(new PathInfo("eth0", MacAddress.parse("52:54:00:00:00:02")));
    }
}
