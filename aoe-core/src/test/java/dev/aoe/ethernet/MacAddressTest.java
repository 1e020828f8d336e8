package dev.aoe.ethernet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MacAddressTest {

    @ParameterizedTest
    @CsvSource({"52:54:00:12:34:56, 52:54:00:12:34:56", "52-54-00-AB-CD-EF, 52:54:00:ab:cd:ef",
        "ffffffffffff, ff:ff:ff:ff:ff:ff"})
    void parsesAndPrints(String text, String printed) {
        MacAddress mac = MacAddress.parse(text);
        assertThat(mac.toString()).isEqualTo(printed);
        ByteBuf buf = Unpooled.buffer();
        mac.writeTo(buf);
        assertThat(MacAddress.read(buf, 0)).isEqualTo(mac);
        assertThat(MacAddress.of(mac.toBytes(), 0)).isEqualTo(mac);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "52:54:00:12:34", "52:54:00:12:34:5g", "52:54:00:12:34:56:78"})
    void rejectsWhatIsNotAMac(String text) {
        assertThatThrownBy(() -> MacAddress.parse(text)).hasMessageContaining("not a MAC address");
    }

    @ParameterizedTest
    @CsvSource({"52:54:00:12:34:56, 52-54-00-12-34-56, true", "52:54:00:12:34:56, 52:54:00:12:34:57, false",
        "00:00:00:00:00:01, 01:00:00:00:00:00, false", "ff:ff:ff:ff:ff:ff, ffffffffffff, true"})
    void equalsAndHashCodeFollowTheValue(String a, String b, boolean same) {
        MacAddress x = MacAddress.parse(a);
        MacAddress y = MacAddress.parse(b);

        assertThat(x.equals(y)).isEqualTo(same);
        assertThat(y.equals(x)).isEqualTo(same);
        if (same) {
            assertThat(x.hashCode()).isEqualTo(y.hashCode());
        }
        assertThat(x).isNotEqualTo(a).isNotEqualTo(null);
    }
}
