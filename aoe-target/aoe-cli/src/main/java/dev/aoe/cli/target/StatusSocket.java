package dev.aoe.cli.target;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Unix socket per running target ({@code /run/aoe/target-PID.sock}, or under the temp directory
 * without root) that answers every connection with the current statistics: what
 * {@code ./aoe target --stats} reads.
 */
final class StatusSocket implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StatusSocket.class);

    private final Path path;
    private final ServerSocketChannel server;
    private final Thread thread;

    private StatusSocket(Path path, ServerSocketChannel server, Supplier<String> status) {
        this.path = path;
        this.server = server;
        this.thread = new Thread(() -> serve(status), "target-status");
        thread.setDaemon(true);
        thread.start();
    }

    static Path directory() {
        Path run = Path.of("/run");
        boolean root = "root".equals(System.getProperty("user.name"));
        return root && Files.isWritable(run) ? run.resolve("aoe")
                : Path.of(System.getProperty("java.io.tmpdir"), "aoe-" + System.getProperty("user.name"));
    }

    /** Opens the socket; on failure the target runs without one and says so. */
    static StatusSocket open(Supplier<String> status) {
        Path path = directory().resolve("target-" + ProcessHandle.current().pid() + ".sock");
        try {
            Files.createDirectories(path.getParent());
            Files.deleteIfExists(path);
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path));
            return new StatusSocket(path, server, status);
        } catch (IOException | UnsupportedOperationException e) {
            log.warn("no status socket ({}): --stats will not see this target", e.getMessage());
            return null;
        }
    }

    private void serve(Supplier<String> status) {
        while (server.isOpen()) {
            try (SocketChannel client = server.accept()) {
                ByteBuffer text = ByteBuffer.wrap(status.get().getBytes(StandardCharsets.UTF_8));
                while (text.hasRemaining()) {
                    client.write(text);
                }
            } catch (IOException e) {
                if (server.isOpen()) {
                    log.debug("status client: {}", e.getMessage());
                }
            }
        }
    }

    /** The statistics of every running target this user can see; stale sockets are removed. */
    static List<String> query() {
        List<String> answers = new ArrayList<>();
        Path dir = directory();
        if (!Files.isDirectory(dir)) {
            return answers;
        }
        try (DirectoryStream<Path> sockets = Files.newDirectoryStream(dir, "target-*.sock")) {
            for (Path socket : sockets) {
                try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                    answers.add(new String(java.nio.channels.Channels.newInputStream(channel).readAllBytes(),
                            StandardCharsets.UTF_8));
                } catch (IOException e) {
                    Files.deleteIfExists(socket);   // its target is gone
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return answers;
    }

    @Override
    public void close() {
        try {
            server.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            log.debug("closing status socket: {}", e.getMessage());
        }
    }
}
