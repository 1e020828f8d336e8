package dev.aoe.boot;

import dev.aoe.boot.BootException.Reason;
import dev.aoe.link.FrameLink;
import dev.aoe.target.Export;
import dev.aoe.target.ExportState;
import dev.aoe.target.Target;
import dev.aoe.target.overlay.OverlayOptions;
import dev.aoe.target.overlay.OverlayStore;
import dev.aoe.target.store.FileBlockStore;
import dev.aoe.target.store.StoreException;
import dev.aoe.target.store.StoreOptions;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The in-process target of a boot or a {@link Fleet}: the images exported on one link, each a file the
 * guests write, or one read-only base with a persistent copy-on-write overlay per client MAC.
 */
final class BootTarget {

    private final Target target;
    private final List<Closeable> stores;
    private final String config;

    private BootTarget(Target target, List<Closeable> stores, String config) {
        this.target = target;
        this.stores = stores;
        this.config = config;
    }

    /**
     * Opens the images (the one image over {@code overlay} when not null) and makes the target on {@code link},
     * not started. On failure the link and whatever was opened are closed.
     *
     * @param iface the link as {@code ./aoe target} names it, for the configuration text
     */
    static BootTarget prepare(List<ImageExport> images, Path overlay, FrameLink link, String iface) {
        List<Export> exports = new ArrayList<>();
        List<Closeable> stores = new ArrayList<>();
        StringBuilder conf = new StringBuilder();
        try {
            for (ImageExport image : images) {
                Export export;
                if (overlay != null) {
                    OverlayStore overlays = OverlayStore.open(image.file(), StoreOptions.DEFAULT,
                            OverlayOptions.persistent(overlay));
                    stores.add(overlays);
                    export = new Export(image.shelf(), image.slot(), overlays.base(), ExportState.inMemory(),
                            Export.DEFAULT_BUFFER_COUNT, "aoe-boot");
                    export.clients(overlays);
                } else {
                    FileBlockStore store = FileBlockStore.open(image.file(), StoreOptions.DEFAULT);
                    stores.add(store);
                    export = new Export(image.shelf(), image.slot(), store, ExportState.inMemory(),
                            Export.DEFAULT_BUFFER_COUNT, "aoe-boot");
                }
                exports.add(export);
                conf.append(image.shelf()).append(' ').append(image.slot()).append(' ').append(iface).append(' ')
                        .append(image.file().toAbsolutePath())
                        .append(overlay == null ? "" : " overlay=" + overlay.toAbsolutePath()).append('\n');
            }
        } catch (StoreException e) {
            link.close();
            List<RuntimeException> ignored = new ArrayList<>();
            closeStores(stores, ignored);
            throw new BootException(Reason.BAD_INPUT, e.getMessage(), e);
        }
        return new BootTarget(new Target(link, exports, null), stores, conf.toString());
    }

    Target target() {
        return target;
    }

    /** The exports as lines of {@code ./aoe target --config}. */
    String config() {
        return config;
    }

    /** Stops the target, then flushes and closes the images and overlays; problems are added, not thrown. */
    void close(List<RuntimeException> problems) {
        try {
            target.close();
        } catch (RuntimeException e) {
            problems.add(e);
        }
        closeStores(stores, problems);
    }

    private static void closeStores(List<Closeable> stores, List<RuntimeException> problems) {
        for (Closeable store : stores) {
            try {
                store.close();
            } catch (IOException e) {
                problems.add(new BootException(Reason.ENVIRONMENT, "flushing " + store + " failed: " + e.getMessage(), e));
            } catch (RuntimeException e) {
                problems.add(e);
            }
        }
    }
}
