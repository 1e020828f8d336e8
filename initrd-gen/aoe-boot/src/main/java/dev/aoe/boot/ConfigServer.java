package dev.aoe.boot;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Serves one /etc/aoe-initrd.conf over HTTP on the tap's address, for the initramfs's
 * {@code ip=dhcp aoe.config=URL}: the configuration then comes over the network, as it would from a
 * boot server.
 */
final class ConfigServer implements AutoCloseable {

    private static final String PATH = "/aoe-initrd.conf";

    private final HttpServer server;
    private final String url;

    private ConfigServer(HttpServer server, String url) {
        this.server = server;
        this.url = url;
    }

    /** Listens on {@code host} (an ephemeral port); {@code fetched} runs when the file has been served. */
    static ConfigServer start(String host, String config, Runnable fetched) {
        byte[] body = config.getBytes(StandardCharsets.UTF_8);
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(host, 0), 0);
        } catch (IOException e) {
            throw new BootException(BootException.Reason.ENVIRONMENT, "cannot serve HTTP on " + host + ": " + e.getMessage(), e);
        }
        server.createContext(PATH, exchange -> {
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
            fetched.run();
        });
        server.start();
        return new ConfigServer(server, "http://" + host + ":" + server.getAddress().getPort() + PATH);
    }

    String url() {
        return url;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
