package dev.aoe.target;

import com.google.common.io.BaseEncoding;
import dev.aoe.ethernet.MacAddress;
import dev.aoe.frame.Octets;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an initiator can change on an export: the config string (AoEr11 §3.2), the MAC mask list
 * (§3.3) and the reserve list (§3.4). With a state file, every change is written (atomically:
 * temp file, fsync, rename) before the reply goes out, so it survives a restart.
 */
public final class ExportState {

    /** vblade keeps 32 mask entries and 256 reserve entries; the wire allows 255 of each. */
    public static final int MAX_MASK = 255;
    public static final int MAX_RESERVE = 255;

    private static final Logger log = LoggerFactory.getLogger(ExportState.class);

    private final Path file;
    private Octets config = Octets.EMPTY;
    private final Set<MacAddress> mask = new LinkedHashSet<>();
    private final List<MacAddress> reserve = new ArrayList<>();
    /** Snapshots of the two lists as longs, read without a lock or an allocation on every frame. */
    private volatile long[] maskValues = new long[0];
    private volatile long[] reserveValues = new long[0];

    private ExportState(Path file) {
        this.file = file;
    }

    /** State that lives only in memory, like vblade's. */
    public static ExportState inMemory() {
        return new ExportState(null);
    }

    /**
     * Loads the state file if there is one. A missing file is a clean state; an unreadable or corrupt
     * one is a clean state and a warning, never a failure to start.
     */
    public static ExportState load(Path file) {
        ExportState state = new ExportState(file);
        if (!Files.exists(file)) {
            return state;
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
            state.config = Octets.copyOf(BaseEncoding.base16().decode(p.getProperty("config", "").toUpperCase()));
            state.mask.addAll(macs(p.getProperty("mask", "")));
            state.reserve.addAll(macs(p.getProperty("reserve", "")));
            if (state.config.length() > 1024 || state.mask.size() > MAX_MASK || state.reserve.size() > MAX_RESERVE) {
                throw new IllegalArgumentException("values out of range");
            }
            state.maskValues = values(state.mask);
            state.reserveValues = values(state.reserve);
        } catch (IOException | IllegalArgumentException e) {
            log.warn("state file {} is unreadable or corrupt ({}); starting with a clean state", file, e.getMessage());
            return new ExportState(file);
        }
        return state;
    }

    private static List<MacAddress> macs(String list) {
        List<MacAddress> macs = new ArrayList<>();
        for (String s : list.split(",")) {
            if (!s.isBlank()) {
                macs.add(MacAddress.parse(s));
            }
        }
        return macs;
    }

    private static long[] values(java.util.Collection<MacAddress> macs) {
        return macs.stream().mapToLong(MacAddress::value).toArray();
    }

    private static boolean allows(long[] list, long source) {
        if (list.length == 0) {
            return true;
        }
        for (long mac : list) {
            if (mac == source) {
                return true;
            }
        }
        return false;
    }

    public synchronized Octets config() {
        return config;
    }

    public synchronized void config(Octets value) {
        config = value;
        save();
    }

    public synchronized List<MacAddress> mask() {
        return List.copyOf(mask);
    }

    /**
     * True when frames from {@code source} (a MAC held in a long, as the receive loop peeks it) may be
     * answered: the mask is empty, which costs nothing, or lists it.
     */
    public boolean maskAllows(long source) {
        return allows(maskValues, source);
    }

    /** Adds a MAC; false when the list is full. Adding a present MAC succeeds without change. */
    public synchronized boolean maskAdd(MacAddress mac) {
        if (mask.contains(mac)) {
            return true;
        }
        if (mask.size() >= MAX_MASK) {
            return false;
        }
        mask.add(mac);
        maskValues = values(mask);
        return true;
    }

    public synchronized void maskRemove(MacAddress mac) {
        mask.remove(mac);
        maskValues = values(mask);
    }

    /** Persists mask edits made with {@link #maskAdd} and {@link #maskRemove}. */
    public synchronized void maskEdited() {
        save();
    }

    public synchronized List<MacAddress> reserve() {
        return List.copyOf(reserve);
    }

    /** True when {@code source} may use the disk: nobody holds a reservation, or it is on the list. */
    public boolean reserveAllows(long source) {
        return allows(reserveValues, source);
    }

    public synchronized void reserve(List<MacAddress> macs) {
        reserve.clear();
        reserve.addAll(macs);
        reserveValues = values(reserve);
        save();
    }

    private void save() {
        if (file == null) {
            return;
        }
        Properties p = new Properties();
        p.setProperty("config", BaseEncoding.base16().lowerCase().encode(config.toByteArray()));
        p.setProperty("mask", String.join(",", mask.stream().map(MacAddress::toString).toList()));
        p.setProperty("reserve", String.join(",", reserve.stream().map(MacAddress::toString).toList()));
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            try (Writer out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
                p.store(out, "aoe-target export state: config string (hex), MAC mask list, reserve list");
            }
            try (FileChannel c = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                c.force(true);
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            // the change holds in memory; the state directory was checked at start, so this is rare
            log.warn("cannot save the export state to {} ({}); the change holds until the target stops", file,
                    e.getMessage());
        }
    }

    /**
     * Checks that {@code dir} can hold state files: a directory (created if missing) we can write.
     *
     * @throws IOException with a one-line reason
     */
    public static void checkDirectory(Path dir) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IOException("state directory " + dir + " is a file, not a directory");
        }
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".aoe-state", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw new IOException("state directory " + dir + " is not writable (" + e.getMessage() + ")", e);
        }
    }
}
