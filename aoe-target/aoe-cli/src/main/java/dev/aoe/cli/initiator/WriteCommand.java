package dev.aoe.cli.initiator;

import dev.aoe.cli.ByteSizes;
import dev.aoe.cli.CommandFailure;
import dev.aoe.cli.Signals;
import dev.aoe.cli.VersionProvider;
import dev.aoe.initiator.AoeDevice;
import dev.aoe.initiator.Initiator;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code aoe write eX.Y}: copy a file or stdin onto a device, dd-like, then flush. */
@Command(name = "write", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Copy a file or standard input onto an AoE device, then flush it to stable storage.",
            "Offsets in bytes, with K, M, G suffixes; a progress bar on a terminal. Several MiB are in flight at once."
                + " An interrupted write says how many bytes the target acknowledged and whether FLUSH was sent, and"
                + " exits 130 (SIGINT) or 143 (SIGTERM)."})
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
            in = System.in;
        } else {
            try {
                size = Files.size(Path.of(input));
                in = new FileInputStream(input);
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
            AtomicBoolean flushing = new AtomicBoolean();
            Signals.onTerminate(code -> {
                progress.clearBar();
                System.err.println("aoe write: interrupted after " + progress.summary() + " acknowledged by the target; "
                        + (flushing.get() ? "FLUSH was sent but not answered" : "FLUSH was not sent, so those bytes may"
                        + " not be on stable storage yet"));
                System.err.flush();
                Runtime.getRuntime().halt(code);
            });
            copy(source, device, offset, progress);
            if (!noFlush) {
                flushing.set(true);
                device.flush();
            }
            progress.finish(verbose);
        } finally {
            options.closeCapture();
        }
        return 0;
    }

    /** Reads chunk after chunk while {@value ReadCommand#DEPTH} chunks are in flight; counts what is acknowledged. */
    private static void copy(InputStream source, AoeDevice device, long offset, Progress progress) throws IOException {
        ArrayDeque<CompletableFuture<Void>> pending = new ArrayDeque<>();
        ArrayDeque<Integer> lengths = new ArrayDeque<>();
        long read = 0;
        long acknowledged = 0;
        boolean end = false;
        while (!end || !pending.isEmpty()) {
            while (!end && pending.size() < ReadCommand.DEPTH) {
                byte[] chunk = source.readNBytes(ReadCommand.CHUNK);
                if (chunk.length == 0) {
                    end = true;
                    break;
                }
                if (offset + read + chunk.length > device.sizeBytes()) {
                    while (!pending.isEmpty()) {
                        AoeDevice.await(pending.poll());
                    }
                    throw new CommandFailure(device.address() + ": input runs past the end of the device ("
                            + device.sizeBytes() + " bytes) after " + read + " bytes", InitiatorOptions.EXIT_OUT_OF_RANGE);
                }
                pending.add(device.writeAsync(offset + read, ByteBuffer.wrap(chunk)));
                lengths.add(chunk.length);
                read += chunk.length;
            }
            if (!pending.isEmpty()) {
                AoeDevice.await(pending.poll());
                acknowledged += lengths.poll();
                progress.update(acknowledged);
            }
        }
    }
}
