package dev.aoe.initiator;

import dev.aoe.ata.AtaCommands;
import dev.aoe.initiator.protocol.Pending;
import dev.aoe.link.FrameLink;
import io.netty.buffer.ByteBuf;
import io.netty.util.Timeout;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * One ATA command in one frame: its registers, where its data comes from or goes, and its state in
 * the engine (tag, path, times, transmissions). The engine's lock guards the mutable fields.
 */
final class AtaCommand implements Pending {

    final int opcode;
    final boolean extended;
    final long lba;
    final int sectors;
    /** Data to send (a write), or null. Read again from position 0 on each transmission. */
    final ByteBuffer writeData;
    /** Where the response's data goes (a read, IDENTIFY), or null. Written once, by the first valid answer. */
    final ByteBuffer readInto;
    final CompletableFuture<Integer> done = new CompletableFuture<>();

    FrameEngine engine;
    int tag;
    DevicePath path;
    DevicePath avoid;
    long firstSentNanos;
    long sentNanos;
    int transmissions;
    Timeout timer;

    AtaCommand(int opcode, boolean extended, long lba, int sectors, ByteBuffer writeData, ByteBuffer readInto) {
        this.opcode = opcode;
        this.extended = extended;
        this.lba = lba;
        this.sectors = sectors;
        this.writeData = writeData;
        this.readInto = readInto;
    }

    boolean write() {
        return writeData != null;
    }

    @Override
    public void onResponse(int tag, FrameLink link, ByteBuf frame) {
        engine.onResponse(this, tag, frame);
    }

    String describe() {
        return AtaCommands.name(opcode) + (sectors > 0 ? " of " + sectors + " sectors at " + lba : "");
    }
}
