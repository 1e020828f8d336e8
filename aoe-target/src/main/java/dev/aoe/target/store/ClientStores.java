package dev.aoe.target.store;

/**
 * The store each initiator of an export reads and writes, by the MAC its requests come from: a
 * client's own copy-on-write overlay over a shared base, say. Looked up on every ATA request, so an
 * implementation allocates nothing for a client it already knows.
 */
public interface ClientStores {

    /** The store a request from {@code mac} (a MAC held in a long) reads, writes and flushes. */
    BlockStore forClient(long mac);
}
