package dev.aoe.cli.initiator;

import dev.aoe.cli.ByteSizes;
import dev.aoe.cli.CommandFailure;
import dev.aoe.cli.VersionProvider;
import dev.aoe.initiator.AoeDevice;
import dev.aoe.initiator.Initiator;
import java.io.BufferedInputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code aoe write eX.Y}: copy a file or stdin onto a device, dd-like, then flush. */
@Command(name = "write", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Copy a file or standard input onto an AoE device, then flush it to stable storage.",
            "Offsets in bytes, with K, M, G suffixes; a progress bar on a terminal."})
public final class WriteCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "eX.Y", description = "Device address.")
    String address;

    @Option(names = "--offset", paramLabel = "BYTES", converter = ByteSizes.class, defaultValue = "0",
            description = "Where to start on the device (default: ${DEFAULT-VALUE}).")
    long offset;

    @Option(names = {"-I", "--input"}, paramLabel = "FILE", defaultValue = "-",
            description = "What to write, - for standard input (default: ${DEFAULT-VALUE}).")
    String input;

    @Option(names = "--no-flush", description = "Do not send FLUSH CACHE at the end.")
    boolean noFlush;

    @Option(names = {"-v", "--verbose"}, description = "Print the bytes, time and throughput also when not on a terminal.")
    boolean verbose;

    @Mixin
    InitiatorOptions options;

    @Override
    public Integer call() throws Exception {
        long size = -1;
        InputStream in;
        if (input.equals("-")) {
            in = new BufferedInputStream(System.in, ReadCommand.CHUNK);
        } else {
            try {
                size = Files.size(Path.of(input));
                in = new BufferedInputStream(new FileInputStream(input), ReadCommand.CHUNK);
            } catch (NoSuchFileException e) {
                throw new CommandFailure("cannot read " + input + ": no such file");
            } catch (IOException e) {
                throw new CommandFailure("cannot read " + input + ": " + e.getMessage());
            }
        }
        try (Initiator initiator = options.open(); InputStream source = in) {
            AoeDevice device = options.device(initiator, address);
            if (size >= 0 && offset + size > device.sizeBytes()) {
                throw new CommandFailure(device.address() + ": " + size + " bytes at " + offset + " do not fit on the device ("
                        + device.sizeBytes() + " bytes)", InitiatorOptions.EXIT_OUT_OF_RANGE);
            }
            Progress progress = new Progress(System.err, size < 0 ? 0 : size);
            long done = 0;
            CompletableFuture<Void> pending = CompletableFuture.completedFuture(null);
            while (true) {
                byte[] chunk = source.readNBytes(ReadCommand.CHUNK);
                if (chunk.length == 0) {
                    break;
                }
                if (offset + done + chunk.length > device.sizeBytes()) {
                    AoeDevice.await(pending);
                    throw new CommandFailure(device.address() + ": input runs past the end of the device ("
                            + device.sizeBytes() + " bytes) after " + done + " bytes", InitiatorOptions.EXIT_OUT_OF_RANGE);
                }
                CompletableFuture<Void> write = device.writeAsync(offset + done, ByteBuffer.wrap(chunk));
                AoeDevice.await(pending);   // one chunk in flight while the next is read
                pending = write;
                done += chunk.length;
                progress.update(done);
            }
            AoeDevice.await(pending);
            if (!noFlush) {
                device.flush();
            }
            progress.finish(done, verbose);
        } finally {
            options.closeCapture();
        }
        return 0;
    }
}
