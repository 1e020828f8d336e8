package dev.aoe.cli.target;

import dev.aoe.cli.CommandFailure;
import dev.aoe.target.Export;
import dev.aoe.target.ExportStats.Counter;
import dev.aoe.target.ExportStats;
import dev.aoe.target.Target;
import dev.aoe.target.overlay.ClientStats;
import dev.aoe.target.overlay.OverlayStore;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code --metrics HOST:PORT}: the counters the target keeps per export and per interface, read at
 * scrape time, plus a request latency histogram and the in-flight gauge, in Prometheus' text format
 * through the Prometheus Java client (its HTTP server, at {@code /metrics}).
 * <pre>
 * aoe_export_requests_total{export,kind}       ATA read, write, other; config, mask, reserve
 * aoe_export_bytes_total{export,direction}     read, written
 * aoe_export_errors_total{export,kind}         aoe (header error), ata (status error)
 * aoe_export_dropped_total{export,reason}      masked, busy, malformed, duplicate_write
 * aoe_export_flushes_total{export}
 * aoe_export_replies_total{export}            frames answered (one per request but config tests that do not match)
 * aoe_export_capacity_bytes{export}            gauge, follows the image's size
 * aoe_export_in_flight{export}                 gauge, requests on the I/O pool not yet answered
 * aoe_export_request_seconds{export}           histogram of ATA request latency
 * aoe_interface_frames_total{interface,kind}   received, ignored, sent
 * aoe_client_requests_total{export,client,kind}   with overlays: reads, writes, flushes per client
 * aoe_client_bytes_total{export,client,direction} read, written
 * aoe_client_blocks_total{export,client,kind}     added to the overlay, copied from the base
 * aoe_client_held_blocks{export,client}           gauge: 4 KiB blocks the client's overlay holds
 * </pre>
 */
final class TargetMetrics implements AutoCloseable {

    private static final double[] BUCKETS = {10e-6, 25e-6, 50e-6, 100e-6, 250e-6, 500e-6, 1e-3, 2.5e-3, 5e-3, 10e-3,
        25e-3, 50e-3, 100e-3, 250e-3, 1};

    private final HTTPServer server;
    private final Histogram latency;

    private TargetMetrics(HTTPServer server, Histogram latency) {
        this.server = server;
        this.latency = latency;
    }

    /**
     * Serves the metrics of what {@code exports} and {@code targets} return at each scrape (the
     * configuration may be reloaded meanwhile) on {@code hostPort}, e.g. {@code 127.0.0.1:9410}.
     */
    static TargetMetrics start(String hostPort, Supplier<List<Export>> exports, Supplier<List<Target>> targets,
                               Supplier<Map<Export, OverlayStore>> overlays) {
        int colon = hostPort.lastIndexOf(':');
        String host = colon <= 0 ? "0.0.0.0" : hostPort.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new CommandFailure("--metrics " + hostPort + " is not HOST:PORT (like 127.0.0.1:9410)", 2);
        }
        PrometheusRegistry registry = new PrometheusRegistry();
        counter(registry, "aoe_export_requests", "ATA and control requests served, by kind", "kind", exports,
                new String[] {"read", "write", "other", "config", "mask", "reserve"},
                Counter.ATA_READ, Counter.ATA_WRITE, Counter.ATA_OTHER, Counter.CONFIG, Counter.MASK, Counter.RESERVE);
        counter(registry, "aoe_export_bytes", "Data bytes read and written", "direction", exports,
                new String[] {"read", "written"}, Counter.BYTES_READ, Counter.BYTES_WRITTEN);
        counter(registry, "aoe_export_errors", "Requests answered with an error: AoE header error or ATA status error",
                "kind", exports, new String[] {"aoe", "ata"}, Counter.AOE_ERRORS, Counter.ATA_ERRORS);
        counter(registry, "aoe_export_dropped", "Requests not served: mask, buffer count, malformed, duplicate write",
                "reason", exports, new String[] {"masked", "busy", "malformed", "duplicate_write"},
                Counter.DROPPED_MASKED, Counter.DROPPED_BUSY, Counter.DROPPED_MALFORMED, Counter.DUPLICATE_WRITES);
        CounterWithCallback.builder().name("aoe_export_flushes").help("FLUSH CACHE requests served").labelNames("export")
                .callback(cb -> exports.get().forEach(e -> cb.call(e.stats().get(Counter.FLUSHES), e.name())))
                .register(registry);
        CounterWithCallback.builder().name("aoe_export_replies").help("Responses sent (announcements included)")
                .labelNames("export")
                .callback(cb -> exports.get().forEach(e -> cb.call(e.stats().get(Counter.REPLIES), e.name())))
                .register(registry);
        GaugeWithCallback.builder().name("aoe_export_capacity_bytes").help("Size of the export as advertised")
                .labelNames("export")
                .callback(cb -> exports.get().forEach(e -> cb.call(e.store().sectors() * 512.0, e.name())))
                .register(registry);
        GaugeWithCallback.builder().name("aoe_export_in_flight").help("Requests on the I/O pool not yet answered")
                .labelNames("export")
                .callback(cb -> exports.get().forEach(e -> cb.call(e.inFlight(), e.name())))
                .register(registry);
        CounterWithCallback.builder().name("aoe_interface_frames").help("Frames per interface: received, ignored, sent")
                .labelNames("interface", "kind")
                .callback(cb -> {
                    // the threads of one interface (--threads) count as one interface
                    Map<String, long[]> byInterface = new LinkedHashMap<>();
                    for (Target t : targets.get()) {
                        ExportStats s = t.stats();
                        long[] sum = byInterface.computeIfAbsent(t.link().name(), k -> new long[3]);
                        sum[0] += s.get(Counter.FRAMES_RECEIVED);
                        sum[1] += s.get(Counter.FRAMES_IGNORED);
                        sum[2] += s.get(Counter.FRAMES_SENT);
                    }
                    byInterface.forEach((iface, sum) -> {
                        cb.call(sum[0], iface, "received");
                        cb.call(sum[1], iface, "ignored");
                        cb.call(sum[2], iface, "sent");
                    });
                })
                .register(registry);
        clientCounter(registry, "aoe_client_requests", "Requests per client of an export with overlays", "kind", overlays,
                new String[] {"read", "write", "flush"}, ClientStats.Counter.READS, ClientStats.Counter.WRITES,
                ClientStats.Counter.FLUSHES);
        clientCounter(registry, "aoe_client_bytes", "Bytes per client of an export with overlays", "direction", overlays,
                new String[] {"read", "written"}, ClientStats.Counter.BYTES_READ, ClientStats.Counter.BYTES_WRITTEN);
        clientCounter(registry, "aoe_client_blocks", "Blocks added to a client's overlay, and copied from the base",
                "kind", overlays, new String[] {"added", "copied"}, ClientStats.Counter.BLOCKS_ADDED,
                ClientStats.Counter.BLOCKS_COPIED);
        GaugeWithCallback.builder().name("aoe_client_held_blocks").help("4 KiB blocks a client's overlay holds")
                .labelNames("export", "client")
                .callback(cb -> overlays.get().forEach((e, o) -> o.clients().forEach(c -> cb.call(c.heldBlocks(),
                        e.name(), c.name()))))
                .register(registry);
        Histogram latency = Histogram.builder().name("aoe_export_request_seconds")
                .help("Time from an ATA request's arrival to its reply").unit(Unit.SECONDS).labelNames("export")
                .classicOnly().classicUpperBounds(BUCKETS).withoutExemplars().register(registry);
        try {
            HTTPServer server = HTTPServer.builder().hostname(host).port(port).registry(registry).buildAndStart();
            return new TargetMetrics(server, latency);
        } catch (IOException e) {
            throw new CommandFailure("--metrics " + hostPort + ": cannot listen: " + e.getMessage());
        }
    }

    private static void counter(PrometheusRegistry registry, String name, String help, String label,
                                Supplier<List<Export>> exports, String[] values, Counter... counters) {
        CounterWithCallback.builder().name(name).help(help).labelNames("export", label)
                .callback(cb -> exports.get().forEach(e -> {
                    for (int i = 0; i < counters.length; i++) {
                        cb.call(e.stats().get(counters[i]), e.name(), values[i]);
                    }
                }))
                .register(registry);
    }

    private static void clientCounter(PrometheusRegistry registry, String name, String help, String label,
                                      Supplier<Map<Export, OverlayStore>> overlays, String[] values,
                                      ClientStats.Counter... counters) {
        CounterWithCallback.builder().name(name).help(help).labelNames("export", "client", label)
                .callback(cb -> overlays.get().forEach((e, o) -> o.clients().forEach(c -> {
                    for (int i = 0; i < counters.length; i++) {
                        cb.call(c.stats().get(counters[i]), e.name(), c.name(), values[i]);
                    }
                })))
                .register(registry);
    }

    /** Times the export's requests into the histogram (bound once: nothing allocated per request). */
    void measure(Export export) {
        DistributionDataPoint point = latency.labelValues(export.name());
        export.latency(nanos -> point.observe(nanos / 1e9));
    }

    /** The port it listens on (useful when 0 was asked for). */
    int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.close();
    }
}
