package dev.aoe.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * {@code ./aoe bench suite [--quick] [--out DIR]}: every benchmark of this module (the veth ones need
 * root and vblade) into DIR (default {@code aoe-bench/results/TIMESTAMP}): JMH's JSON in {@code DIR/jmh.json}, the CPU-per-frame and ceiling figures in
 * {@code DIR/side.jsonl}, and {@code DIR/summary.md} with {@code DIR/throughput.png}: our target
 * beside vblade by window and MTU. {@code --quick} runs only the sequential reads over veth.
 */
public final class Suite {

    private static final Pattern SIDE = Pattern.compile(
            "\"benchmark\":\"([^\"]+)\",\"params\":\\{([^}]*)},(.*)}");

    private Suite() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = false;
        String root = System.getenv("AOE_ROOT");   // set by ./aoe: results go under aoe-bench/results
        Path out = (root == null ? Path.of("results") : Path.of(root, "aoe-bench", "results"))
                .resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--out" -> out = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: ./aoe bench suite [--quick] [--out DIR]");
                    System.exit(2);
                }
            }
        }
        Files.createDirectories(out);
        Path side = out.resolve("side.jsonl").toAbsolutePath();
        Files.deleteIfExists(side);
        ChainedOptionsBuilder options = new OptionsBuilder()
                .resultFormat(ResultFormatType.JSON).result(out.resolve("jmh.json").toString())
                .jvmArgsAppend("-Daoe.bench.side=" + side)
                .addProfiler(GCProfiler.class);
        if (quick) {
            options.include("VethBenchmark.sequentialRead").include("VethCeilingBenchmark")
                    .param("window", "16").param("target", "aoe-afpacket", "vblade");
        } else {
            options.include("FrameCodecBenchmark").include("TargetPathBenchmark").include("MemoryLinkIoBenchmark")
                    .include("VethCeilingBenchmark").include("VethBenchmark");
        }
        Collection<RunResult> results = new Runner(options.build()).run();
        Map<String, Map<String, Double>> sideFigures = readSide(side);
        Files.writeString(out.resolve("summary.md"), summary(results, sideFigures) + comparison(results, sideFigures));
        chart(results, out.resolve("throughput.png"));
        System.out.println("results in " + out.toAbsolutePath() + ": jmh.json, side.jsonl, summary.md, throughput.png");
    }

    /** "benchmark|k=v,k=v" → figure name → value. */
    private static Map<String, Map<String, Double>> readSide(Path side) throws IOException {
        Map<String, Map<String, Double>> figures = new LinkedHashMap<>();
        if (!Files.exists(side)) {
            return figures;
        }
        for (String line : Files.readAllLines(side)) {
            Matcher m = SIDE.matcher(line);
            if (!m.find()) {
                continue;
            }
            Map<String, Double> values = new LinkedHashMap<>();
            for (String pair : m.group(3).split(",")) {
                String[] kv = pair.split(":");
                values.put(kv[0].replace("\"", ""), Double.parseDouble(kv[1]));
            }
            figures.put(key(m.group(1), m.group(2).replace("\"", "").replace(':', '=')), values);
        }
        return figures;
    }

    private static String key(String benchmark, String params) {
        return benchmark + "|" + params;
    }

    private static String params(RunResult r) {
        var p = r.getParams();
        List<String> parts = new ArrayList<>();
        for (String k : new java.util.TreeSet<>(p.getParamsKeys())) {
            parts.add(k + "=" + p.getParam(k));
        }
        return String.join(",", parts);
    }

    private static String summary(Collection<RunResult> results, Map<String, Map<String, Double>> side) {
        StringBuilder md = new StringBuilder("# Benchmark results\n\n")
                .append("Java ").append(System.getProperty("java.version")).append(", ")
                .append(Runtime.getRuntime().availableProcessors()).append(" CPUs, ")
                .append(LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME)).append(".\n\n")
                .append("| benchmark | params | score | error | unit | B/op (benchmark JVM) | target CPU µs/frame | ceiling frames/s |\n")
                .append("|---|---|---|---|---|---|---|---|\n");
        for (RunResult r : results) {
            Result<?> primary = r.getPrimaryResult();
            String name = r.getParams().getBenchmark();
            Result<?> alloc = allocation(r);
            Map<String, Double> extra = side.getOrDefault(key(name, params(r)), Map.of());
            md.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %.1f | %s | %s | %s | %s |%n",
                    name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1), params(r),
                    primary.getScore(), primary.getScoreError(), primary.getScoreUnit(),
                    alloc == null ? "" : String.format(Locale.ROOT, "%.0f", alloc.getScore()),
                    extra.containsKey("cpuSecondsPerFrame")
                            ? String.format(Locale.ROOT, "%.2f", extra.get("cpuSecondsPerFrame") * 1e6) : "",
                    extra.containsKey("carriedFramesPerSecond")
                            ? String.format(Locale.ROOT, "%.0f", extra.get("carriedFramesPerSecond")) : ""));
        }
        return md.toString();
    }

    private static Result<?> allocation(RunResult r) {
        Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
        return alloc != null ? alloc : r.getSecondaryResults().get("\u00b7gc.alloc.rate.norm");
    }

    /**
     * The veth matrix side by side: for each workload, MTU and window, our target on AF_PACKET against
     * vblade (throughput and the ratio, CPU per frame and the ratio), the other links, and our frame
     * rate as a share of the veth's raw one-way frame rate.
     */
    private static String comparison(Collection<RunResult> results, Map<String, Map<String, Double>> side) {
        Map<String, Map<String, RunResult>> rows = new LinkedHashMap<>();
        Map<String, Double> ceiling = new LinkedHashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            if (name.endsWith("VethCeilingBenchmark.sendFullFrames")) {
                Map<String, Double> extra = side.getOrDefault(key(name, params(r)), Map.of());
                ceiling.put(r.getParams().getParam("mtu"), extra.getOrDefault("carriedFramesPerSecond", 0.0));
            }
            if (name.contains("VethBenchmark.")) {
                String row = name.substring(name.lastIndexOf('.') + 1) + "|" + r.getParams().getParam("mtu") + "|"
                        + r.getParams().getParam("window");
                rows.computeIfAbsent(row, k -> new LinkedHashMap<>()).put(r.getParams().getParam("target"), r);
            }
        }
        if (rows.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("\n## Our target beside vblade over veth\n\n")
                .append("Throughput in MB/s (sequential, full frames: 1,024 B at MTU 1500, 8,704 B at 9000) or IOPS ")
                .append("(4 KiB random); CPU is the target process's user + system time per frame served.\n\n")
                .append("| workload | MTU | window | aoe afpacket | vblade | ratio | CPU µs/frame aoe | vblade | ratio ")
                .append("| aoe pcap | aoe afpacket-v3 | share of veth ceiling |\n")
                .append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map.Entry<String, Map<String, RunResult>> row : rows.entrySet()) {
            String[] k = row.getKey().split("\\|");
            Map<String, RunResult> byTarget = row.getValue();
            boolean random = k[0].startsWith("random");
            double frameBytes = k[1].equals("9000") ? 17 * 512 : 2 * 512;
            java.util.function.Function<String, String> rate = t -> {
                RunResult r = byTarget.get(t);
                if (r == null) {
                    return "";
                }
                double ops = r.getPrimaryResult().getScore();
                return String.format(Locale.ROOT, random ? "%.0f" : "%.0f MB/s", random ? ops : ops * frameBytes / 1e6);
            };
            java.util.function.Function<String, Double> cpu = t -> byTarget.get(t) == null ? null
                    : side.getOrDefault(key(byTarget.get(t).getParams().getBenchmark(), params(byTarget.get(t))), Map.of())
                            .get("cpuSecondsPerFrame");
            RunResult ours = byTarget.get("aoe-afpacket");
            RunResult vblade = byTarget.get("vblade");
            Double ourCpu = cpu.apply("aoe-afpacket");
            Double vbladeCpu = cpu.apply("vblade");
            double framesPerOp = random ? Math.ceil(8.0 / (frameBytes / 512)) : 1;
            Double limit = ceiling.get(k[1]);
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    k[0], k[1], k[2], rate.apply("aoe-afpacket"), rate.apply("vblade"),
                    ours == null || vblade == null ? "" : String.format(Locale.ROOT, "%.2f×",
                            ours.getPrimaryResult().getScore() / vblade.getPrimaryResult().getScore()),
                    ourCpu == null ? "" : String.format(Locale.ROOT, "%.2f", ourCpu * 1e6),
                    vbladeCpu == null ? "" : String.format(Locale.ROOT, "%.2f", vbladeCpu * 1e6),
                    ourCpu == null || vbladeCpu == null ? "" : String.format(Locale.ROOT, "%.2f", ourCpu / vbladeCpu),
                    rate.apply("aoe-pcap"), rate.apply("aoe-afpacket-v3"),
                    ours == null || limit == null || limit == 0 ? "" : String.format(Locale.ROOT, "%.0f%%",
                            100 * ours.getPrimaryResult().getScore() * framesPerOp / limit)));
        }
        ceiling.forEach((mtu, fps) -> md.append(String.format(Locale.ROOT,
                "%nveth ceiling at MTU %s: %.0f full-size frames/s one way (AF_PACKET, sendmmsg batches of 64).%n",
                mtu, fps)));
        return md.toString();
    }

    /** Grouped bars: sequential read MB/s over veth for each (MTU, window), one bar per target. */
    private static void chart(Collection<RunResult> results, Path png) throws IOException {
        Map<String, Map<String, Double>> groups = new LinkedHashMap<>();
        List<String> targets = new ArrayList<>();
        for (RunResult r : results) {
            if (!r.getParams().getBenchmark().endsWith("VethBenchmark.sequentialRead")) {
                continue;
            }
            int mtu = Integer.parseInt(r.getParams().getParam("mtu"));
            double bytes = mtu >= 9000 ? 17 * 512 : 2 * 512;
            String group = "MTU " + mtu + "\nw " + r.getParams().getParam("window");
            String target = r.getParams().getParam("target");
            if (!targets.contains(target)) {
                targets.add(target);
            }
            groups.computeIfAbsent(group, g -> new LinkedHashMap<>()).put(target,
                    r.getPrimaryResult().getScore() * bytes / 1e6);
        }
        if (groups.isEmpty()) {
            return;
        }
        System.setProperty("java.awt.headless", "true");
        int width = 900;
        int height = 480;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        double max = groups.values().stream().flatMap(m -> m.values().stream()).mapToDouble(d -> d).max().orElse(1);
        int left = 70;
        int bottom = height - 70;
        int top = 50;
        Color[] colours = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728)};
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString("Sequential read over veth, MB/s (our initiator on AF_PACKET as the client)", left, 28);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setStroke(new BasicStroke(1));
        g.drawLine(left, top, left, bottom);
        g.drawLine(left, bottom, width - 20, bottom);
        for (int i = 0; i <= 4; i++) {
            int y = bottom - (bottom - top) * i / 4;
            g.drawString(String.format(Locale.ROOT, "%.0f", max * i / 4), 10, y + 4);
            g.setColor(new Color(0xdddddd));
            g.drawLine(left + 1, y, width - 20, y);
            g.setColor(Color.BLACK);
        }
        int groupWidth = (width - left - 40) / groups.size();
        int barWidth = Math.max(4, (groupWidth - 20) / Math.max(1, targets.size()));
        int gi = 0;
        for (Map.Entry<String, Map<String, Double>> group : groups.entrySet()) {
            int x0 = left + 10 + gi * groupWidth;
            for (int ti = 0; ti < targets.size(); ti++) {
                Double v = group.getValue().get(targets.get(ti));
                if (v == null) {
                    continue;
                }
                int h = (int) ((bottom - top) * v / max);
                g.setColor(colours[ti % colours.length]);
                g.fillRect(x0 + ti * barWidth, bottom - h, barWidth - 2, h);
            }
            g.setColor(Color.BLACK);
            String[] label = group.getKey().split("\n");
            g.drawString(label[0], x0, bottom + 18);
            g.drawString(label[1], x0, bottom + 34);
            gi++;
        }
        for (int ti = 0; ti < targets.size(); ti++) {
            g.setColor(colours[ti % colours.length]);
            g.fillRect(left + ti * 160, height - 22, 14, 14);
            g.setColor(Color.BLACK);
            g.drawString(targets.get(ti), left + ti * 160 + 20, height - 10);
        }
        g.dispose();
        ImageIO.write(image, "png", png.toFile());
    }
}
