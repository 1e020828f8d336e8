package dev.aoe.target.overlay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aoe.ethernet.MacAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ClientTableTest {

    @Test
    void findsEachOfManyMacsAndNothingElse() {
        ClientTable table = new ClientTable();
        Map<Long, OverlayClient> added = new HashMap<>();
        Random random = new Random(5);
        for (int i = 0; i < 5000; i++) {
            long mac = i % 2 == 0 ? 0x5254_0000_0000L + i : random.nextLong() & 0xFFFF_FFFF_FFFFL;   // dense and sparse
            if (added.containsKey(mac)) {
                continue;
            }
            OverlayClient client = new OverlayClient("c" + i, List.of(new MacAddress(mac)), null, null,
                    OverlayOptions.memory(1));
            table.add(mac, client);
            added.put(mac, client);
        }
        added.forEach((mac, client) -> assertThat(table.get(mac)).isSameAs(client));
        assertThat(table.get(0x5254_0000_0000L + 1)).isNull();
        assertThat(table.get(0)).isNull();
    }
}
