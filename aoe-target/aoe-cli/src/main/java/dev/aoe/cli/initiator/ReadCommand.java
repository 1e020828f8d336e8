package dev.aoe.cli.initiator;

import dev.aoe.cli.ByteSizes;
import dev.aoe.cli.CommandFailure;
import dev.aoe.cli.CommandLines;
import dev.aoe.cli.Signals;
import dev.aoe.cli.VersionProvider;
import dev.aoe.initiator.AoeDevice;
import dev.aoe.initiator.Initiator;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code aoe read eX.Y}: copy bytes of a device to a file or stdout, dd-like. */
@Command(name = "read", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Copy bytes of an AoE device to a file or standard output.",
            "Offsets and lengths in bytes, with K, M, G suffixes; a progress bar on a terminal. Several MiB are in"
                + " flight at once. A read that fails or is interrupted leaves no output file behind (--keep-partial"
                + " keeps what arrived); an interrupted one says how far it got and exits 130 (SIGINT) or 143"
                + " (SIGTERM)."})
public final class ReadCommand implements Callable<Integer> {

    static final int CHUNK = 1 << 20;
    static final int DEPTH = 4;

    @Parameters(index = "0", paramLabel = "eX.Y", description = "Device address.")
    String address;

    @Option(names = "--offset", paramLabel = "BYTES", converter = ByteSizes.class, defaultValue = "0",
            description = "Where to start (default: ${DEFAULT-VALUE}).")
    long offset;

    @Option(names = "--length", paramLabel = "BYTES", converter = ByteSizes.class,
            description = "How much to read (default: to the end of the device).")
    Long length;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "Where to write, - for standard output (default: standard output, unless it is a terminal).")
    String output;

    @Option(names = "--keep-partial", description = "Keep the output file of a read that failed or was interrupted.")
    boolean keepPartial;

    @Option(names = {"-v", "--verbose"}, description = "Print the bytes, time and throughput also when not on a terminal.")
    boolean verbose;

    @Mixin
    InitiatorOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (output == null && Terminals.stdoutIsTerminal()) {
            throw new CommandFailure("refusing to write device data to a terminal: give -o FILE, or -o - to really do it",
                    CommandLines.EXIT_USAGE);
        }
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
            try (Output out = Output.open(output == null ? "-" : output, keepPartial)) {
                Signals.onTerminate(code -> {
                    progress.clearBar();
                    System.err.println("aoe read: interrupted after " + progress.summary() + out.abandon());
                    System.err.flush();
                    Runtime.getRuntime().halt(code);
                });
                copy(device, offset, count, out.channel(), progress);
                out.commit();
            }
            progress.finish(verbose);
        } finally {
            options.closeCapture();
        }
        return 0;
    }

    /** Reads chunk by chunk with {@value #DEPTH} chunks in flight, writing each in order as it completes. */
    static void copy(AoeDevice device, long offset, long count, WritableByteChannel out, Progress progress)
            throws IOException {
        ByteBuffer[] ring = new ByteBuffer[DEPTH];
        ArrayDeque<ByteBuffer> buffers = new ArrayDeque<>();
        ArrayDeque<CompletableFuture<Void>> pending = new ArrayDeque<>();
        int next = 0;
        long requested = 0;
        long done = 0;
        while (done < count) {
            while (requested < count && pending.size() < DEPTH) {
                if (ring[next] == null) {
                    ring[next] = ByteBuffer.allocateDirect(CHUNK);
                }
                ByteBuffer b = ring[next].clear().limit((int) Math.min(CHUNK, count - requested));
                next = (next + 1) % DEPTH;
                pending.add(device.readAsync(offset + requested, b.duplicate()));
                buffers.add(b);
                requested += b.limit();
            }
            AoeDevice.await(pending.poll());
            ByteBuffer b = buffers.poll();
            while (b.hasRemaining()) {
                out.write(b);
            }
            done += b.limit();
            progress.update(done);
        }
    }

    /**
     * Where the bytes go: standard output, or a file written under a temporary name next to it and
     * renamed when the read completes (a device or a FIFO is written directly), so a failed read leaves
     * nothing behind unless asked to keep it.
     */
    static final class Output implements AutoCloseable {
        private final FileChannel channel;
        private final Path target;
        private final Path temp;
        private final boolean keepPartial;
        private boolean committed;

        private Output(FileChannel channel, Path target, Path temp, boolean keepPartial) {
            this.channel = channel;
            this.target = target;
            this.temp = temp;
            this.keepPartial = keepPartial;
        }

        static Output open(String name, boolean keepPartial) {
            if (name.equals("-")) {
                return new Output(new FileOutputStream(java.io.FileDescriptor.out).getChannel(), null, null, true);
            }
            Path target = Path.of(name);
            try {
                if (Files.exists(target) && !Files.isRegularFile(target)) {
                    return new Output(FileChannel.open(target, StandardOpenOption.WRITE), target, null, keepPartial);
                }
                Path dir = target.toAbsolutePath().getParent();
                Path temp = Files.createTempFile(dir, "." + target.getFileName(), ".partial");
                return new Output(FileChannel.open(temp, StandardOpenOption.WRITE), target, temp, keepPartial);
            } catch (IOException e) {
                throw new CommandFailure("cannot write " + name + ": " + e.getMessage());
            }
        }

        WritableByteChannel channel() {
            return channel;
        }

        void commit() throws IOException {
            if (temp != null) {
                channel.close();
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            committed = true;
        }

        /** The read is given up: removes (or keeps) what was written; says which. */
        String abandon() {
            if (committed || target == null) {
                return "";
            }
            try {
                channel.close();
                if (keepPartial) {
                    if (temp != null) {
                        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                    return "; the partial output is in " + target;
                }
                if (temp != null) {
                    Files.deleteIfExists(temp);
                    return "; no output file was left (--keep-partial keeps it)";
                }
                return "";
            } catch (IOException e) {
                return "; cleaning up the output failed: " + e.getMessage();
            }
        }

        @Override
        public void close() {
            if (!committed) {
                abandon();
            }
        }
    }
}
