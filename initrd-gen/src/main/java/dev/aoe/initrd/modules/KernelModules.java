package dev.aoe.initrd.modules;

import dev.aoe.initrd.elf.Elf;
import dev.aoe.initrd.image.Compression;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The modules of one kernel ({@code lib/modules/VERSION}) and their load order, as
 * {@code modprobe --show-depends} gives it: a module's pre-softdeps (through aliases), then its
 * dependencies, then the module, then its post-softdeps. With depmod's files ({@code modules.dep},
 * {@code modules.softdep}, {@code modules.alias}) the order is modprobe's exactly; without them (a
 * kernel .deb ships none) the same comes from each module's own {@code .modinfo} (depends=, softdep=,
 * alias=). Module files may be compressed (.ko.gz, .ko.xz, .ko.zst).
 */
public final class KernelModules {

    private final Path dir;
    /** Module name (dashes as underscores) to its path relative to {@link #dir}. */
    private final Map<String, String> files = new HashMap<>();
    private final Map<String, List<String>> depends = new HashMap<>();
    private final boolean fromDepmod;
    private Map<String, List<String>> aliases;
    private Map<String, String[]> softdeps;

    private KernelModules(Path dir) throws IOException {
        this.dir = dir;
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).filter(KernelModules::isModule)
                    .sorted().forEach(rel -> files.putIfAbsent(nameOf(rel), rel));
        }
        Path dep = dir.resolve("modules.dep");
        fromDepmod = Files.exists(dep);
        if (fromDepmod) {
            for (String line : Files.readAllLines(dep)) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    String[] list = line.substring(colon + 1).trim().split("\\s+");
                    depends.put(nameOf(line.substring(0, colon)), list[0].isEmpty() ? List.of()
                            : Stream.of(list).map(KernelModules::nameOf).toList());
                }
            }
        }
    }

    /** Opens a {@code lib/modules/VERSION} tree; a clear error when it holds no modules. */
    public static KernelModules open(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("no kernel modules at " + dir + " (give --kernel-modules lib/modules/VERSION)");
        }
        KernelModules m = new KernelModules(dir);
        if (m.files.isEmpty()) {
            throw new IOException(dir + " holds no kernel modules (*.ko)");
        }
        return m;
    }

    public Path dir() {
        return dir;
    }

    public String version() {
        return dir.getFileName().toString();
    }

    static boolean isModule(String path) {
        return path.endsWith(".ko") || path.endsWith(".ko.gz") || path.endsWith(".ko.xz") || path.endsWith(".ko.zst");
    }

    /** {@code kernel/arch/x86/crypto/crc32c-intel.ko.xz} is module {@code crc32c_intel}. */
    static String nameOf(String path) {
        String base = path.substring(path.lastIndexOf('/') + 1);
        return base.substring(0, base.indexOf(".ko")).replace('-', '_');
    }

    public boolean contains(String name) {
        return files.containsKey(name.replace('-', '_'));
    }

    /** The file of a module, relative to the tree. */
    public String file(String name) {
        return files.get(name.replace('-', '_'));
    }

    /** The files to load for {@code names}, dependencies first, each once. */
    public List<String> resolve(List<String> names) throws IOException {
        Set<String> order = new LinkedHashSet<>();
        for (String name : names) {
            List<String> matches = contains(name) ? List.of(name.replace('-', '_')) : aliasTargets(name);
            if (matches.isEmpty()) {
                throw new ModuleNotFoundException("module '" + name + "' not found in " + dir + closest(name));
            }
            for (String m : matches) {
                emit(m, order, new LinkedHashSet<>());
            }
        }
        return order.stream().map(files::get).toList();
    }

    private void emit(String name, Set<String> order, Set<String> visiting) throws IOException {
        if (order.contains(name) || !visiting.add(name)) {
            return;
        }
        String[] soft = softdeps(name);
        for (String alias : split(soft[0])) {
            for (String m : aliasTargets(alias)) {
                emit(m, order, visiting);
            }
        }
        List<String> deps = dependencies(name);
        for (int i = deps.size() - 1; i >= 0; i--) {
            emit(deps.get(i), order, visiting);
        }
        order.add(name);
        for (String alias : split(soft[1])) {
            for (String m : aliasTargets(alias)) {
                emit(m, order, visiting);
            }
        }
    }

    /** Direct and indirect dependencies in modules.dep's order (the last is loaded first). */
    private List<String> dependencies(String name) throws IOException {
        if (fromDepmod) {
            return depends.getOrDefault(name, List.of());
        }
        List<String> direct = depends.get(name);
        if (direct == null) {
            direct = new ArrayList<>();
            for (String s : modinfo(name)) {
                if (s.startsWith("depends=") && s.length() > "depends=".length()) {
                    for (String d : s.substring("depends=".length()).split(",")) {
                        direct.add(d.replace('-', '_'));
                    }
                }
            }
            java.util.Collections.reverse(direct);   // emit() walks the list backwards
            depends.put(name, direct);
        }
        return direct;
    }

    private String[] softdeps(String name) throws IOException {
        if (softdeps == null) {
            softdeps = new HashMap<>();
            Path file = dir.resolve("modules.softdep");
            if (fromDepmod && Files.exists(file)) {
                for (String line : Files.readAllLines(file)) {
                    String[] w = line.trim().split("\\s+", 3);
                    if (w.length == 3 && w[0].equals("softdep")) {
                        softdeps.put(w[1].replace('-', '_'), parseSoftdep(w[2]));
                    }
                }
            }
        }
        if (!fromDepmod && !softdeps.containsKey(name)) {
            String[] sd = {"", ""};
            for (String s : modinfo(name)) {
                if (s.startsWith("softdep=")) {
                    sd = parseSoftdep(s.substring("softdep=".length()));
                }
            }
            softdeps.put(name, sd);
        }
        return softdeps.getOrDefault(name, new String[] {"", ""});
    }

    /** "pre: a b post: c" into {"a b", "c"}; words before any keyword count as pre. */
    static String[] parseSoftdep(String text) {
        StringBuilder pre = new StringBuilder();
        StringBuilder post = new StringBuilder();
        StringBuilder current = pre;
        for (String w : text.trim().split("\\s+")) {
            if (w.equals("pre:")) {
                current = pre;
            } else if (w.equals("post:")) {
                current = post;
            } else if (!w.isEmpty()) {
                current.append(w).append(' ');
            }
        }
        return new String[] {pre.toString().trim(), post.toString().trim()};
    }

    private static List<String> split(String words) {
        return words.isEmpty() ? List.of() : List.of(words.split("\\s+"));
    }

    /** Modules providing an alias (or a module of that name): modules.alias, or every module's alias= lines. */
    private List<String> aliasTargets(String alias) throws IOException {
        if (contains(alias)) {
            return List.of(alias.replace('-', '_'));
        }
        if (aliases == null) {
            aliases = new LinkedHashMap<>();
            Path file = dir.resolve("modules.alias");
            if (fromDepmod) {
                for (String line : Files.exists(file) ? Files.readAllLines(file) : List.<String>of()) {
                    String[] w = line.trim().split("\\s+");
                    if (w.length == 3 && w[0].equals("alias") && !w[1].contains("*")) {
                        aliases.computeIfAbsent(w[1], k -> new ArrayList<>()).add(w[2].replace('-', '_'));
                    }
                }
            } else {
                for (String module : files.keySet().stream().sorted().toList()) {
                    for (String s : modinfo(module)) {
                        if (s.startsWith("alias=") && !s.contains("*")) {
                            aliases.computeIfAbsent(s.substring(6), k -> new ArrayList<>()).add(module);
                        }
                    }
                }
            }
        }
        return aliases.getOrDefault(alias, List.of()).stream().filter(this::contains).distinct().toList();
    }

    private final Map<String, List<String>> modinfoCache = new HashMap<>();

    private List<String> modinfo(String name) throws IOException {
        List<String> cached = modinfoCache.get(name);
        if (cached != null) {
            return cached;
        }
        String rel = files.get(name);
        if (rel == null) {
            throw new ModuleNotFoundException("module '" + name + "' (a dependency) not found in " + dir);
        }
        List<String> info = Elf.parse(Compression.inflate(Files.readAllBytes(dir.resolve(rel))), rel)
                .sectionStrings(".modinfo");
        modinfoCache.put(name, info);
        return info;
    }

    private String closest(String name) {
        String wanted = name.replace('-', '_');
        List<String> near = files.keySet().stream()
                .sorted(Comparator.comparingInt((String n) -> distance(wanted, n)).thenComparing(n -> n))
                .limit(3).toList();
        return " (closest: " + String.join(", ", near) + ")";
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
