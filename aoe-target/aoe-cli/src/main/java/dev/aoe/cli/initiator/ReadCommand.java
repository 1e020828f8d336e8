package dev.aoe.cli.initiator;

import dev.aoe.cli.ByteSizes;
import dev.aoe.cli.CommandFailure;
import dev.aoe.cli.VersionProvider;
import dev.aoe.initiator.AoeDevice;
import dev.aoe.initiator.Initiator;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code aoe read eX.Y}: copy bytes of a device to a file or stdout, dd-like. */
@Command(name = "read", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Copy bytes of an AoE device to a file or standard output.",
            "Offsets and lengths in bytes, with K, M, G suffixes; a progress bar on a terminal."})
public final class ReadCommand implements Callable<Integer> {

    static final int CHUNK = 1 << 20;

    @Parameters(index = "0", paramLabel = "eX.Y", description = "Device address.")
    String address;

    @Option(names = "--offset", paramLabel = "BYTES", converter = ByteSizes.class, defaultValue = "0",
            description = "Where to start (default: ${DEFAULT-VALUE}).")
    long offset;

    @Option(names = "--length", paramLabel = "BYTES", converter = ByteSizes.class,
            description = "How much to read (default: to the end of the device).")
    Long length;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", defaultValue = "-",
            description = "Where to write, - for standard output (default: ${DEFAULT-VALUE}).")
    String output;

    @Option(names = {"-v", "--verbose"}, description = "Print the bytes, time and throughput also when not on a terminal.")
    boolean verbose;

    @Mixin
    InitiatorOptions options;

    @Override
    public Integer call() throws Exception {
        try (Initiator initiator = options.open()) {
            AoeDevice device = options.device(initiator, address);
            long size = device.sizeBytes();
            long count = length == null ? size - Math.min(offset, size) : length;
            if (offset >= size && size > 0 || offset + count > size) {
                throw new CommandFailure(device.address() + ": " + (offset >= size ? "offset " + offset + " is past the end"
                        : "bytes " + offset + ".." + (offset + count) + " run past the end") + " of the device ("
                        + size + " bytes)", InitiatorOptions.EXIT_OUT_OF_RANGE);
            }
            Progress progress = new Progress(System.err, count);
            try (OutputStream out = open()) {
                copy(device, offset, count, out, progress);
            }
            progress.finish(count, verbose);
        } finally {
            options.closeCapture();
        }
        return 0;
    }

    private OutputStream open() throws IOException {
        if (output.equals("-")) {
            return new BufferedOutputStream(new FileOutputStream(java.io.FileDescriptor.out), CHUNK) {
                @Override
                public void close() throws IOException {
                    flush();   // standard output stays open
                }
            };
        }
        try {
            return new BufferedOutputStream(new FileOutputStream(output), CHUNK);
        } catch (IOException e) {
            throw new CommandFailure("cannot write " + output + ": " + e.getMessage());
        }
    }

    /** Reads chunk by chunk with the next chunk already in flight while the current one is written. */
    static void copy(AoeDevice device, long offset, long count, OutputStream out, Progress progress) throws IOException {
        long done = 0;
        ByteBuffer current = ByteBuffer.allocate((int) Math.min(CHUNK, count));
        CompletableFuture<Void> pending = device.readAsync(offset, current);
        while (done < count) {
            int n = current.capacity();
            ByteBuffer next = null;
            CompletableFuture<Void> nextPending = null;
            if (done + n < count) {
                next = ByteBuffer.allocate((int) Math.min(CHUNK, count - done - n));
                nextPending = device.readAsync(offset + done + n, next);
            }
            AoeDevice.await(pending);
            out.write(current.array(), 0, n);
            done += n;
            progress.update(done);
            current = next;
            pending = nextPending;
        }
    }
}
