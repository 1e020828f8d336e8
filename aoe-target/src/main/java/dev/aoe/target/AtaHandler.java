package dev.aoe.target;

import static dev.aoe.target.ExportStats.Counter.ATA_ERRORS;
import static dev.aoe.target.ExportStats.Counter.ATA_OTHER;
import static dev.aoe.target.ExportStats.Counter.ATA_READ;
import static dev.aoe.target.ExportStats.Counter.ATA_WRITE;
import static dev.aoe.target.ExportStats.Counter.BYTES_READ;
import static dev.aoe.target.ExportStats.Counter.BYTES_WRITTEN;
import static dev.aoe.target.ExportStats.Counter.DROPPED_BUSY;
import static dev.aoe.target.ExportStats.Counter.FLUSHES;

import dev.aoe.ata.AtaCommands;
import dev.aoe.frame.AoeError;
import dev.aoe.frame.AoeHeaderView;
import dev.aoe.frame.AtaArg;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue ATA Command (AoEr11 §3.1). Reads the registers at their wire offsets without decoding the
 * frame; reads, writes and flushes run on the receive thread, or on the target's I/O pool (up to the
 * export's buffer count at once) when it has one.
 * AoE errors go in the header (bad argument, reserved); ATA errors go in the status and error
 * registers (IDNF out of range, ABRT unsupported or read-only, UNC for I/O errors).
 */
final class AtaHandler {

    private static final Logger log = LoggerFactory.getLogger(AtaHandler.class);
    private static final int ARG = AoeHeaderView.ARG_OFFSET;
    private static final int KNOWN_AFLAGS = AtaArg.FLAG_EXTENDED | AtaArg.FLAG_DEVICE | AtaArg.FLAG_ASYNC
            | AtaArg.FLAG_WRITE;
    private static final int STATUS_ERROR = AtaCommands.STATUS_DRDY | AtaCommands.STATUS_ERR;

    private final Target target;

    AtaHandler(Target target) {
        this.target = target;
    }

    void handle(Export export, ByteBuf request, boolean broadcast) {
        int r = request.readerIndex();
        if (request.readableBytes() < ARG + AtaArg.LENGTH) {
            target.replyError(export, request, AoeError.BAD_ARGUMENT);
            return;
        }
        int aflags = request.getUnsignedByte(r + ARG + AtaArg.AFLAGS_OFFSET);
        int sectors = request.getUnsignedByte(r + ARG + AtaArg.SECTOR_COUNT_OFFSET);
        int command = request.getUnsignedByte(r + ARG + AtaArg.CMD_STATUS_OFFSET);
        long wireLba = AtaArg.readLba(request, r + ARG + AtaArg.LBA_OFFSET);
        // for LBA28 commands lba3's high nibble is the device register, not address
        long lba = (aflags & AtaArg.FLAG_EXTENDED) != 0 ? wireLba : wireLba & AtaArg.LBA28_MASK;
        if (command != AtaCommands.IDENTIFY_DEVICE
                && !export.state().reserveAllows(AoeHeaderView.source(request))) {
            target.replyError(export, request, AoeError.TARGET_RESERVED);
            return;
        }
        switch (command) {
            case AtaCommands.IDENTIFY_DEVICE -> {
                export.stats().increment(ATA_OTHER);
                ByteBuf reply = begin(export, request, aflags, 0, AtaCommands.STATUS_DRDY, 0, 512);
                reply.writeBytes(export.identify());
                target.send(export, reply);
            }
            case AtaCommands.READ_SECTORS, AtaCommands.READ_SECTORS_EXT -> {
                export.stats().increment(ATA_READ);
                if (checkTransfer(export, request, aflags, sectors, lba)) {
                    submit(Op.READ, export, request, aflags, sectors, lba);
                }
            }
            case AtaCommands.WRITE_SECTORS, AtaCommands.WRITE_SECTORS_EXT -> {
                export.stats().increment(ATA_WRITE);
                if (broadcast || (aflags & AtaArg.FLAG_WRITE) == 0
                        || request.readableBytes() < ARG + AtaArg.DATA_OFFSET + sectors * AtaArg.SECTOR_SIZE) {
                    target.replyError(export, request, AoeError.BAD_ARGUMENT);
                } else if (export.store().readOnly()) {
                    ataError(export, request, aflags, sectors, AtaCommands.ERROR_ABRT);
                } else if (checkTransfer(export, request, aflags, sectors, lba)) {
                    submit(Op.WRITE, export, request, aflags, sectors, lba);
                }
            }
            case AtaCommands.FLUSH_CACHE, AtaCommands.FLUSH_CACHE_EXT -> {
                export.stats().increment(ATA_OTHER);
                submit(Op.FLUSH, export, request, aflags, sectors, lba);
            }
            case AtaCommands.CHECK_POWER_MODE -> {
                export.stats().increment(ATA_OTHER);
                target.send(export, begin(export, request, aflags, 0, AtaCommands.STATUS_DRDY,
                        AtaCommands.POWER_MODE_ACTIVE, 0));
            }
            default -> {
                export.stats().increment(ATA_OTHER);
                ataError(export, request, aflags, sectors, AtaCommands.ERROR_ABRT);
            }
        }
    }

    /** Sector count within what we advertise (else AoE error 2) and the range on the disk (else IDNF). */
    private boolean checkTransfer(Export export, ByteBuf request, int aflags, int sectors, long lba) {
        if (sectors > target.maxSectors()) {
            target.replyError(export, request, AoeError.BAD_ARGUMENT);
            return false;
        }
        if (lba + sectors > export.store().sectors()) {
            ataError(export, request, aflags, sectors, AtaCommands.ERROR_IDNF);
            return false;
        }
        return true;
    }

    private enum Op { READ, WRITE, FLUSH }

    /**
     * Runs the transfer on the receive thread when the target has no I/O pool (nothing allocated, no
     * thread switch); otherwise on the pool with a copy of the request, up to the buffer count at once.
     */
    private void submit(Op op, Export export, ByteBuf request, int aflags, int sectors, long lba) {
        Executor io = target.io();
        if (io == null) {
            perform(op, export, request, aflags, sectors, lba);
            return;
        }
        if (!export.tryAcquire()) {
            export.stats().increment(DROPPED_BUSY);   // beyond the buffer count: dropped, as AoEr11 says
            return;
        }
        ByteBuf copy = target.link().alloc().buffer(request.readableBytes()).writeBytes(request, request.readerIndex(),
                request.readableBytes());
        try {
            io.execute(() -> {
                try {
                    perform(op, export, copy, aflags, sectors, lba);
                } finally {
                    copy.release();
                    export.release();
                }
            });
        } catch (RuntimeException rejected) {
            copy.release();
            export.release();
        }
    }

    private void perform(Op op, Export export, ByteBuf request, int aflags, int sectors, long lba) {
        switch (op) {
            case READ -> read(export, request, aflags, sectors, lba);
            case WRITE -> write(export, request, aflags, sectors, lba);
            case FLUSH -> flush(export, request, aflags);
        }
    }

    private void read(Export export, ByteBuf request, int aflags, int sectors, long lba) {
        ByteBuf reply = begin(export, request, aflags, 0, AtaCommands.STATUS_DRDY, 0, sectors * AtaArg.SECTOR_SIZE);
        try {
            export.store().read(lba, sectors, reply);
        } catch (IOException | RuntimeException e) {
            reply.release();
            log.warn("{}: read of {} sectors at {} failed: {}", export.name(), sectors, lba, e.getMessage());
            ataError(export, request, aflags, sectors, AtaCommands.ERROR_UNC);
            return;
        }
        export.stats().add(BYTES_READ, (long) sectors * AtaArg.SECTOR_SIZE);
        target.send(export, reply);
    }

    private void write(Export export, ByteBuf request, int aflags, int sectors, long lba) {
        try {
            export.store().write(lba, sectors, request, request.readerIndex() + ARG + AtaArg.DATA_OFFSET);
        } catch (IOException | RuntimeException e) {
            log.warn("{}: write of {} sectors at {} failed: {}", export.name(), sectors, lba, e.getMessage());
            ataError(export, request, aflags, sectors, AtaCommands.ERROR_UNC);
            return;
        }
        export.stats().add(BYTES_WRITTEN, (long) sectors * AtaArg.SECTOR_SIZE);
        target.send(export, begin(export, request, aflags, 0, AtaCommands.STATUS_DRDY, 0, 0));
    }

    private void flush(Export export, ByteBuf request, int aflags) {
        try {
            export.store().flush();
        } catch (IOException | RuntimeException e) {
            log.warn("{}: flush failed: {}", export.name(), e.getMessage());
            ataError(export, request, aflags, 0, AtaCommands.ERROR_ABRT);
            return;
        }
        export.stats().increment(FLUSHES);
        target.send(export, begin(export, request, aflags, 0, AtaCommands.STATUS_DRDY, 0, 0));
    }

    private void ataError(Export export, ByteBuf request, int aflags, int sectors, int error) {
        export.stats().increment(ATA_ERRORS);
        target.send(export, begin(export, request, aflags, error, STATUS_ERROR, sectors, 0));
    }

    /**
     * The response header and ATA registers: the request's known aflags, error register, sector
     * count (sectors not transferred), status, and the request's LBA bytes as they were.
     */
    private ByteBuf begin(Export export, ByteBuf request, int aflags, int error, int status, int sectors,
                          int dataLength) {
        ByteBuf reply = Responses.begin(target.link(), request, export, AtaArg.LENGTH + dataLength);
        reply.writeByte(aflags & KNOWN_AFLAGS).writeByte(error).writeByte(sectors).writeByte(status);
        reply.writeBytes(request, request.readerIndex() + ARG + AtaArg.LBA_OFFSET, 6);
        reply.writeShort(0);
        return reply;
    }
}
