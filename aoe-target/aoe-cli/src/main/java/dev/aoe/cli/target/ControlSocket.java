package dev.aoe.cli.target;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Unix socket per running target ({@code /run/aoe/target-PID.sock}, or under the temp directory
 * without root) that takes one command per connection, a line, and answers with text: {@code stats}
 * (the statistics: what {@code aoe target --stats} prints) or {@code reload} (re-read the
 * configuration: what {@code aoe target --reload} asks for, as SIGHUP does).
 */
final class ControlSocket implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ControlSocket.class);

    private final Path path;
    private final ServerSocketChannel server;
    private final Thread thread;

    private ControlSocket(Path path, ServerSocketChannel server, Map<String, Supplier<String>> commands) {
        this.path = path;
        this.server = server;
        this.thread = new Thread(() -> serve(commands), "target-control");
        thread.setDaemon(true);
        thread.start();
    }

    static Path directory() {
        Path run = Path.of("/run");
        boolean root = "root".equals(System.getProperty("user.name"));
        return root && Files.isWritable(run) ? run.resolve("aoe")
                : Path.of(System.getProperty("java.io.tmpdir"), "aoe-" + System.getProperty("user.name"));
    }

    /** Opens the socket answering {@code commands}; on failure the target runs without one and says so. */
    static ControlSocket open(Map<String, Supplier<String>> commands) {
        Path path = directory().resolve("target-" + ProcessHandle.current().pid() + ".sock");
        try {
            Files.createDirectories(path.getParent());
            Files.deleteIfExists(path);
            ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(path));
            return new ControlSocket(path, server, commands);
        } catch (IOException | UnsupportedOperationException e) {
            log.warn("no control socket ({}): --stats and --reload will not see this target", e.getMessage());
            return null;
        }
    }

    private void serve(Map<String, Supplier<String>> commands) {
        while (server.isOpen()) {
            try (SocketChannel client = server.accept()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(client),
                        StandardCharsets.UTF_8));
                String command = in.readLine();
                Supplier<String> action = commands.get(command == null ? "" : command.trim());
                String answer = action == null ? "unknown command '" + command + "'; known: " + commands.keySet() + "\n"
                        : action.get();
                OutputStream out = Channels.newOutputStream(client);
                out.write(answer.getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                if (server.isOpen()) {
                    log.debug("control client: {}", e.getMessage());
                }
            }
        }
    }

    /** Sends {@code command} to every running target this user can see; their answers. Stale sockets are removed. */
    static List<String> send(String command) {
        List<String> answers = new ArrayList<>();
        Path dir = directory();
        if (!Files.isDirectory(dir)) {
            return answers;
        }
        try (DirectoryStream<Path> sockets = Files.newDirectoryStream(dir, "target-*.sock")) {
            for (Path socket : sockets) {
                try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                    OutputStream out = Channels.newOutputStream(channel);
                    out.write((command + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    channel.shutdownOutput();
                    answers.add(new String(Channels.newInputStream(channel).readAllBytes(), StandardCharsets.UTF_8));
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
            log.debug("closing control socket: {}", e.getMessage());
        }
    }
}
