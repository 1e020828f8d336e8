package dev.aoe.target;

import static dev.aoe.target.ExportStats.Counter.ATA_ERRORS;
import static dev.aoe.target.ExportStats.Counter.ATA_OTHER;
import static dev.aoe.target.ExportStats.Counter.ATA_READ;
import static dev.aoe.target.ExportStats.Counter.ATA_WRITE;
import static dev.aoe.target.ExportStats.Counter.BYTES_READ;
import static dev.aoe.target.ExportStats.Counter.BYTES_WRITTEN;
import static dev.aoe.target.ExportStats.Counter.DROPPED_BUSY;
import static dev.aoe.target.ExportStats.Counter.DUPLICATE_WRITES;
import static dev.aoe.target.ExportStats.Counter.FLUSHES;

import dev.aoe.ata.AtaCommands;
import dev.aoe.ethernet.Ethernet;
import dev.aoe.frame.AoeError;
import dev.aoe.frame.AtaFlyweight;
import dev.aoe.frame.HeaderFlyweight;
import dev.aoe.target.store.StoreFullException;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import java.io.IOException;
import java.util.concurrent.Executor;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue ATA Command (AoEr11 §3.1). Reads the registers through {@link AtaFlyweight}'s static peeks and
 * writes replies through the flyweight; reads, writes and flushes run on the receive thread, or on the
 * target's I/O pool (up to the export's buffer count at once) when it has one.
 * AoE errors go in the header (bad argument, reserved); ATA errors go in the status and error
 * registers (IDNF out of range, ABRT unsupported or read-only, UNC for I/O errors).
 */
final class AtaHandler {

    private static final Logger log = LoggerFactory.getLogger(AtaHandler.class);
    private static final int STATUS_ERROR = AtaCommands.STATUS_DRDY | AtaCommands.STATUS_ERR;

    private final Target target;

    AtaHandler(Target target) {
        this.target = target;
    }

    void handle(Export export, ByteBuf request, boolean broadcast) {
        LatencyRecorder latency = export.latency();
        long start = latency == null ? 0 : System.nanoTime();
        serve(export, request, broadcast);
        if (latency != null && target.io() == null) {
            latency.record(System.nanoTime() - start);
        }
    }

    private void serve(Export export, ByteBuf request, boolean broadcast) {
        if (!AtaFlyweight.hasRegisters(request)) {
            target.replyError(export, request, AoeError.BAD_ARGUMENT);
            return;
        }
        int command = AtaFlyweight.cmdStatus(request);
        if (command != AtaCommands.IDENTIFY_DEVICE && !export.state().reserveAllows(Ethernet.source(request))) {
            target.replyError(export, request, AoeError.TARGET_RESERVED);
            return;
        }
        switch (command) {
            case AtaCommands.IDENTIFY_DEVICE -> {
                export.stats().increment(ATA_OTHER);
                byte[] identify = export.identify();
                AtaFlyweight reply = begin(export, request, 0, AtaCommands.STATUS_DRDY, 0, identify.length);
                reply.buffer().writeBytes(identify);
                target.send(export, reply.buffer());
            }
            case AtaCommands.READ_SECTORS, AtaCommands.READ_SECTORS_EXT -> {
                export.stats().increment(ATA_READ);
                if (checkTransfer(export, request)) {
                    submit(Op.READ, export, request);
                }
            }
            case AtaCommands.WRITE_SECTORS, AtaCommands.WRITE_SECTORS_EXT -> {
                export.stats().increment(ATA_WRITE);
                int sectors = AtaFlyweight.sectorCount(request);
                if (broadcast || (AtaFlyweight.aflags(request) & AtaFlyweight.FLAG_WRITE) == 0
                        || request.readableBytes() < AtaFlyweight.frameLength(sectors)) {
                    target.replyError(export, request, AoeError.BAD_ARGUMENT);
                } else if (export.storeFor(Ethernet.source(request)).readOnly()) {   // an overlay is writable
                    ataError(export, request, AtaCommands.ERROR_ABRT);
                } else if (checkTransfer(export, request) && firstCopy(export, request)) {
                    submit(Op.WRITE, export, request);
                }
            }
            case AtaCommands.FLUSH_CACHE, AtaCommands.FLUSH_CACHE_EXT -> {
                export.stats().increment(ATA_OTHER);
                submit(Op.FLUSH, export, request);
            }
            case AtaCommands.CHECK_POWER_MODE -> {
                export.stats().increment(ATA_OTHER);
                target.send(export, begin(export, request, 0, AtaCommands.STATUS_DRDY, AtaCommands.POWER_MODE_ACTIVE, 0)
                        .buffer());
            }
            default -> {
                export.stats().increment(ATA_OTHER);
                ataError(export, request, AtaCommands.ERROR_ABRT);
            }
        }
    }

    /** Sector count within what we advertise (else AoE error 2) and the range on the disk (else IDNF). */
    private boolean checkTransfer(Export export, ByteBuf request) {
        int sectors = AtaFlyweight.sectorCount(request);
        if (sectors > target.maxSectors()) {
            target.replyError(export, request, AoeError.BAD_ARGUMENT);
            return false;
        }
        if (AtaFlyweight.effectiveLba(request) + sectors > export.store().sectors()) {
            ataError(export, request, AtaCommands.ERROR_IDNF);
            return false;
        }
        return true;
    }

    /**
     * False for an exact copy of a write served before or being served (same client, tag, LBA, count,
     * data): it is answered as the original was, or dropped while the original is in progress.
     */
    private boolean firstCopy(Export export, ByteBuf request) {
        long mac = Ethernet.source(request);
        int sectors = AtaFlyweight.sectorCount(request);
        int seen = export.writes().begin(mac, HeaderFlyweight.tag(request), AtaFlyweight.effectiveLba(request), sectors,
                checksum(request, sectors));
        if (seen == WriteHistory.UNKNOWN) {
            return true;
        }
        export.stats().increment(DUPLICATE_WRITES);
        if (seen == WriteHistory.IN_PROGRESS) {
            return false;
        }
        if (seen == AtaCommands.STATUS_DRDY) {
            target.send(export, begin(export, request, 0, AtaCommands.STATUS_DRDY, 0, 0).buffer());
        } else {
            ataError(export, request, seen & 0xFF);
        }
        return false;
    }

    private void written(Export export, ByteBuf request, int result) {
        int sectors = AtaFlyweight.sectorCount(request);
        export.writes().complete(Ethernet.source(request), HeaderFlyweight.tag(request),
                AtaFlyweight.effectiveLba(request), sectors, checksum(request, sectors), result);
    }

    private static final FastThreadLocal<CRC32C> CRC = new FastThreadLocal<>() {
        @Override
        protected CRC32C initialValue() {
            return new CRC32C();
        }
    };

    /** CRC32C of a write request's data (a CPU instruction on x86 and arm64). */
    private static int checksum(ByteBuf request, int sectors) {
        CRC32C crc = CRC.get();
        crc.reset();
        int index = request.readerIndex() + AtaFlyweight.DATA_OFFSET;
        int length = sectors * AtaFlyweight.SECTOR_SIZE;
        crc.update(request.nioBufferCount() == 1 ? request.internalNioBuffer(index, length)
                : request.nioBuffer(index, length));
        return (int) crc.getValue();
    }

    private enum Op { READ, WRITE, FLUSH }

    /**
     * Runs the transfer on the receive thread when the target has no I/O pool (nothing allocated, no
     * thread switch); otherwise on the pool with a copy of the request, up to the buffer count at once.
     */
    private void submit(Op op, Export export, ByteBuf request) {
        Executor io = target.io();
        if (io == null) {
            perform(op, export, request);
            return;
        }
        if (!export.tryAcquire()) {
            export.stats().increment(DROPPED_BUSY);   // beyond the buffer count: dropped, as AoEr11 says
            if (op == Op.WRITE) {
                int sectors = AtaFlyweight.sectorCount(request);
                export.writes().forget(Ethernet.source(request), HeaderFlyweight.tag(request),
                        AtaFlyweight.effectiveLba(request), sectors, checksum(request, sectors));
            }
            return;
        }
        ByteBuf copy = target.link().alloc().buffer(request.readableBytes()).writeBytes(request, request.readerIndex(),
                request.readableBytes());
        LatencyRecorder latency = export.latency();
        long start = latency == null ? 0 : System.nanoTime();
        try {
            io.execute(() -> {
                try {
                    perform(op, export, copy);
                } finally {
                    copy.release();
                    export.release();
                    if (latency != null) {
                        latency.record(System.nanoTime() - start);
                    }
                }
            });
        } catch (RuntimeException rejected) {
            copy.release();
            export.release();
        }
    }

    private void perform(Op op, Export export, ByteBuf request) {
        switch (op) {
            case READ -> read(export, request);
            case WRITE -> write(export, request);
            case FLUSH -> flush(export, request);
        }
    }

    private void read(Export export, ByteBuf request) {
        int sectors = AtaFlyweight.sectorCount(request);
        long lba = AtaFlyweight.effectiveLba(request);
        AtaFlyweight reply = begin(export, request, 0, AtaCommands.STATUS_DRDY, 0, sectors * AtaFlyweight.SECTOR_SIZE);
        try {
            export.storeFor(Ethernet.source(request)).read(lba, sectors, reply.buffer());
        } catch (IOException | RuntimeException e) {
            reply.buffer().release();
            ataError(export, request, failed(export, "read of " + sectors + " sectors at " + lba, lba + sectors, e));
            return;
        }
        export.stats().add(BYTES_READ, (long) sectors * AtaFlyweight.SECTOR_SIZE);
        target.send(export, reply.buffer());
    }

    private void write(Export export, ByteBuf request) {
        int sectors = AtaFlyweight.sectorCount(request);
        long lba = AtaFlyweight.effectiveLba(request);
        try {
            export.storeFor(Ethernet.source(request)).write(lba, sectors, request,
                    request.readerIndex() + AtaFlyweight.DATA_OFFSET);
        } catch (StoreFullException e) {
            ataError(export, request, AtaCommands.ERROR_UNC);   // the store has said so once; no line per write
            return;
        } catch (IOException | RuntimeException e) {
            int error = failed(export, "write of " + sectors + " sectors at " + lba, lba + sectors, e);
            written(export, request, STATUS_ERROR << 8 | error);
            ataError(export, request, error);
            return;
        }
        written(export, request, AtaCommands.STATUS_DRDY);
        export.stats().add(BYTES_WRITTEN, (long) sectors * AtaFlyweight.SECTOR_SIZE);
        target.send(export, begin(export, request, 0, AtaCommands.STATUS_DRDY, 0, 0).buffer());
    }

    private void flush(Export export, ByteBuf request) {
        try {
            export.storeFor(Ethernet.source(request)).flush();
        } catch (IOException | RuntimeException e) {
            failed(export, "flush", 0, e);
            ataError(export, request, AtaCommands.ERROR_ABRT);
            return;
        }
        export.stats().increment(FLUSHES);
        target.send(export, begin(export, request, 0, AtaCommands.STATUS_DRDY, 0, 0).buffer());
    }

    /**
     * One log line for a failed access: what changed when the image changed size underneath (said
     * once), else the failure, at most one line per export every ten seconds. Returns the ATA error to
     * answer: IDNF when the range now lies past the end of a shrunk image, else UNC.
     */
    private static int failed(Export export, String what, long end, Exception e) {
        String change = export.store().checkSize();
        if (change != null) {
            log.warn("{}: {}", export.name(), change);
        } else if (export.mayLogFailure()) {
            log.warn("{}: {} failed: {} (further failures for ten seconds are counted, not logged)", export.name(), what,
                    e.getMessage());
        }
        return end > export.store().sectors() ? AtaCommands.ERROR_IDNF : AtaCommands.ERROR_UNC;
    }

    private void ataError(Export export, ByteBuf request, int error) {
        export.stats().increment(ATA_ERRORS);
        target.send(export, begin(export, request, error, STATUS_ERROR, AtaFlyweight.sectorCount(request), 0).buffer());
    }

    /**
     * The response header and ATA registers: the request's known aflags, error register, sector
     * count (sectors not transferred), status, and the request's LBA bytes as they were; the writer
     * index after the registers, where read data goes.
     */
    private AtaFlyweight begin(Export export, ByteBuf request, int error, int status, int sectors, int dataLength) {
        AtaFlyweight reply = Responses.begin(target.link(), export, Ethernet.source(request),
                HeaderFlyweight.command(request), HeaderFlyweight.tag(request), AtaFlyweight.ARG_LENGTH + dataLength);
        reply.registers(AtaFlyweight.aflags(request) & AtaFlyweight.KNOWN_FLAGS, error, sectors, status,
                AtaFlyweight.lba(request));
        reply.buffer().writerIndex(reply.offset() + AtaFlyweight.DATA_OFFSET);
        return reply;
    }
}
