package dev.aoe.initiator;

import dev.aoe.ethernet.MacAddress;
import dev.aoe.link.memory.MemoryLink;
import dev.aoe.link.memory.MemorySwitch;
import dev.aoe.target.Export;
import dev.aoe.target.ExportState;
import dev.aoe.target.Target;
import dev.aoe.target.store.FileBlockStore;
import dev.aoe.target.store.StoreOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** A virtual switch with real aoe-target exports and an initiator on it: the initiator tests' lab. */
final class Lab implements AutoCloseable {

    final MemorySwitch network = new MemorySwitch(11);
    final ExecutorService io = Executors.newFixedThreadPool(8);
    final List<Target> targets = new ArrayList<>();
    private int macs = 0x10;

    /** A file of {@code sectors} seeded random sectors. */
    static byte[] image(Path file, int sectors, long seed) throws Exception {
        byte[] data = new byte[sectors * 512];
        new Random(seed).nextBytes(data);
        Files.write(file, data);
        return data;
    }

    /** Exports {@code file} as shelf.slot on new target ports (one per MAC), started. */
    Target target(int shelf, int slot, Path file, int mtu, int bufferCount, int ports) throws Exception {
        FileBlockStore store = FileBlockStore.open(file, StoreOptions.DEFAULT);
        Export export = new Export(shelf, slot, store, ExportState.inMemory(), bufferCount, "lab");
        Target first = null;
        for (int i = 0; i < ports; i++) {
            MemoryLink link = network.connect("t" + macs, new MacAddress(0x0200_0000_0000L + macs++), mtu);
            Target t = new Target(link, List.of(export), io);
            targets.add(t);
            t.start();
            first = first == null ? t : first;
        }
        return first;
    }

    MemoryLink port(String name, int mtu) {
        return network.connect(name, new MacAddress(0x0252_5400_0000L + macs++), mtu);
    }

    Initiator initiator(int mtu, Duration deadTime) {
        return Initiator.builder().link(port("initiator", mtu)).deadTime(deadTime).build();
    }

    @Override
    public void close() throws Exception {
        network.close();
        io.shutdown();
        io.awaitTermination(10, TimeUnit.SECONDS);
    }
}
