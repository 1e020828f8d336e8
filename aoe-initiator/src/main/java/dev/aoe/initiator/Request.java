package dev.aoe.initiator;

import dev.aoe.ata.AtaCommands;
import dev.aoe.ata.IdentifyData;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * One request of a user: a run of sectors to read or write, or a single-frame command (IDENTIFY,
 * FLUSH). The engine carves it into frames as the window allows, so a 1 GiB read is one request
 * and one future, not a million. The engine's lock guards the mutable fields.
 */
final class Request {

    final int opcode;
    final boolean extended;
    final boolean write;
    final long lba;
    /** Sectors to transfer; 0 for a command without data. */
    final int sectors;
    /** Our own view of the user's buffer (data to write, or where read data goes), or null. */
    final ByteBuffer view;
    /** The view's position where sector {@link #lba} starts. */
    final int base;
    /** The one path this request must use (identifying a path on probation), or null for any. */
    final DevicePath pinned;
    final CompletableFuture<Void> done = new CompletableFuture<>();

    /** Sectors already put into frames (a single-frame command counts its one frame as 1). */
    int carved;
    /** Sectors answered. */
    int answered;
    /** Completed, with success or a failure: later answers to its frames are dropped. */
    boolean finished;
    /** When a pinned request fails by itself, whatever the rest of the device does (0: never). */
    long giveUpNanos;

    Request(int opcode, boolean extended, boolean write, long lba, int sectors, ByteBuffer buffer, DevicePath pinned) {
        this.opcode = opcode;
        this.extended = extended;
        this.write = write;
        this.lba = lba;
        this.sectors = sectors;
        this.view = buffer == null ? null : buffer.duplicate();
        this.base = buffer == null ? 0 : buffer.position();
        this.pinned = pinned;
    }

    /** What the engine counts: sectors, or one frame for a command without data. */
    int units() {
        return Math.max(1, sectors);
    }

    /** A frame's worth of work carved off, up to {@code maxSectors}; the unit count it covers. */
    int carve(int maxSectors) {
        int n = sectors == 0 ? 1 : Math.min(maxSectors, sectors - carved);
        carved += n;
        return n;
    }

    boolean fullyCarved() {
        return carved >= units();
    }

    /** Data bytes an answer must carry: the sectors read, or IDENTIFY's 512 bytes. */
    int expectedData(int frameSectors) {
        if (write || view == null) {
            return 0;
        }
        return opcode == AtaCommands.IDENTIFY_DEVICE ? IdentifyData.LENGTH : frameSectors * AoeDevice.SECTOR_SIZE;
    }

    String describe(long frameLba, int frameSectors) {
        return AtaCommands.name(opcode) + (sectors > 0 ? " of " + frameSectors + " sectors at " + frameLba : "");
    }
}
