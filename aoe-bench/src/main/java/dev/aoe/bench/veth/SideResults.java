package dev.aoe.bench.veth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Figures JMH has no column for (CPU per frame, frame counts), one JSON object per line per trial, in
 * the file named by {@code -Daoe.bench.side}; printed to standard output as well.
 */
final class SideResults {

    private SideResults() {
    }

    /** Appends {@code {"benchmark":..., "params":{...}, name: value, ...}}. */
    static void append(BenchmarkParams benchmark, Object... namesAndValues) throws IOException {
        Map<String, String> params = new TreeMap<>();
        for (String key : benchmark.getParamsKeys()) {
            params.put(key, benchmark.getParam(key));
        }
        StringBuilder json = new StringBuilder("{\"benchmark\":\"").append(benchmark.getBenchmark()).append("\",\"params\":{");
        params.forEach((k, v) -> json.append('"').append(k).append("\":\"").append(v).append("\","));
        if (!params.isEmpty()) {
            json.setLength(json.length() - 1);
        }
        json.append('}');
        for (int i = 0; i < namesAndValues.length; i += 2) {
            Object v = namesAndValues[i + 1];
            json.append(",\"").append(namesAndValues[i]).append("\":")
                    .append(v instanceof Double d ? String.format(Locale.ROOT, "%.6g", d) : v);
        }
        json.append("}\n");
        System.out.print("side result: " + json);
        String file = System.getProperty("aoe.bench.side");
        if (file != null) {
            Files.writeString(Path.of(file), json, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        }
    }
}
