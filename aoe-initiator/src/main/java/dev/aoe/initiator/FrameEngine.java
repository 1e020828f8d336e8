package dev.aoe.initiator;

import dev.aoe.ata.AtaCommands;
import dev.aoe.ethernet.Ethernet;
import dev.aoe.frame.AoeCommand;
import dev.aoe.frame.AoeError;
import dev.aoe.frame.AtaFlyweight;
import dev.aoe.frame.HeaderFlyweight;
import dev.aoe.initiator.AoeIoException.AoeErrorException;
import dev.aoe.initiator.AoeIoException.AtaErrorException;
import dev.aoe.initiator.AoeIoException.BadResponseException;
import dev.aoe.initiator.AoeIoException.DeviceTimeoutException;
import dev.aoe.initiator.protocol.TagSpace;
import dev.aoe.link.FrameLink;
import dev.aoe.link.LinkException;
import io.netty.buffer.ByteBuf;
import io.netty.util.Timer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Moves one device's ATA commands over its paths: at most each path's congestion window in flight,
 * a new tag per transmission, retransmission after the path's RTO (on another path when there is
 * one), failure after the dead-target time. One lock guards it; responses arrive on the links'
 * threads and timeouts on the timer's.
 */
final class FrameEngine {

    private static final int ATA_ARG = HeaderFlyweight.ARG_OFFSET;

    private final AoeAddress address;
    private final List<DevicePath> paths = new ArrayList<>();
    private final TagSpace tags;
    private final Timer timer;
    private final long deadNanos;
    private final Deque<AtaCommand> queue = new ArrayDeque<>();
    private final Set<AtaCommand> flying = new HashSet<>();
    /** Frames built by one {@link #pump}, sent together when it ends (one system call on AF_PACKET). */
    private final List<ByteBuf> outgoing = new ArrayList<>();
    private FrameLink outgoingLink;
    private int nextPath;
    private boolean closed;
    final LongAdder retransmits = new LongAdder();

    FrameEngine(AoeAddress address, List<DevicePath> paths, TagSpace tags, Timer timer, Duration deadTime) {
        this.address = address;
        this.paths.addAll(paths);
        this.tags = tags;
        this.timer = timer;
        this.deadNanos = deadTime.toNanos();
    }

    synchronized List<DevicePath> paths() {
        return List.copyOf(paths);
    }

    /** A path found after the device was opened (another MAC or interface answered): used from now on. */
    synchronized void addPath(DevicePath path) {
        paths.add(path);
        pump();
    }

    synchronized void submit(AtaCommand command) {
        if (closed) {
            command.done.completeExceptionally(new AoeIoException(address + " is closed"));
            return;
        }
        command.engine = this;
        queue.addLast(command);
        pump();
    }

    private void pump() {
        while (!queue.isEmpty()) {
            DevicePath path = choosePath(queue.peekFirst().avoid);
            if (path == null) {
                break;
            }
            transmit(queue.pollFirst(), path);
        }
        sendOutgoing();
    }

    private void sendOutgoing() {
        if (outgoing.isEmpty()) {
            return;
        }
        try {
            outgoingLink.sendAll(outgoing);
        } catch (LinkException e) {
            // counted as lost: the timers retransmit, on another path if there is one
        } finally {
            outgoing.clear();
        }
    }

    /** Round robin over the paths with room, skipping {@code avoid} (where the frame was lost) if another has room. */
    private DevicePath choosePath(DevicePath avoid) {
        DevicePath fallback = null;
        for (int i = 0; i < paths.size(); i++) {
            DevicePath p = paths.get((nextPath + i) % paths.size());
            if (!p.hasRoom()) {
                continue;
            }
            if (p == avoid && paths.size() > 1) {
                fallback = fallback == null ? p : fallback;
                continue;
            }
            nextPath = (nextPath + i + 1) % paths.size();
            return p;
        }
        return fallback;
    }

    private void transmit(AtaCommand c, DevicePath path) {
        long now = System.nanoTime();
        int tag = tags.register(c);
        c.tag = tag;
        c.path = path;
        c.sentNanos = now;
        if (c.transmissions++ == 0) {
            c.firstSentNanos = now;
        }
        path.inFlight++;
        path.sent++;
        flying.add(c);
        c.timer = timer.newTimeout(t -> onTimeout(c, tag), path.rtt.rtoNanos(), TimeUnit.NANOSECONDS);
        ByteBuf frame = path.link.alloc().buffer(Ethernet.MIN_FRAME_LENGTH
                + (c.write() ? c.sectors * AtaFlyweight.SECTOR_SIZE : 0));
        path.mac.writeTo(frame);
        path.link.mac().writeTo(frame);
        frame.writeShort(Ethernet.ETHERTYPE_AOE)
                .writeByte(HeaderFlyweight.VERSION << 4).writeByte(0)
                .writeShort(address.shelf()).writeByte(address.slot())
                .writeByte(AoeCommand.ATA.code()).writeInt(tag)
                .writeByte((c.extended ? AtaFlyweight.FLAG_EXTENDED : 0) | (c.write() ? AtaFlyweight.FLAG_WRITE : 0))
                .writeByte(0).writeByte(c.sectors).writeByte(c.opcode)
                .writeIntLE((int) c.lba).writeShortLE((int) (c.lba >>> 32)).writeShort(0);
        if (c.write()) {
            frame.writeBytes(c.writeData.duplicate().clear());
        }
        Ethernet.pad(frame, 0);
        if (outgoingLink != path.link) {
            sendOutgoing();
            outgoingLink = path.link;
        }
        outgoing.add(frame);
    }

    void onResponse(AtaCommand c, int tag, ByteBuf frame) {
        Exception failure = null;
        synchronized (this) {
            if (!tags.remove(tag, c)) {
                return;   // a duplicate, or an answer to a transmission we gave up on
            }
            c.timer.cancel();
            flying.remove(c);
            DevicePath path = c.path;
            path.inFlight--;
            path.answered++;
            path.rtt.sample(System.nanoTime() - c.sentNanos);
            path.window.onAnswer();
            try {
                check(c, frame);
            } catch (AoeIoException e) {
                failure = e;
            }
            pump();
        }
        if (failure != null) {
            c.done.completeExceptionally(failure);
        } else {
            c.done.complete((int) AtaFlyweight.sectorCount(frame));
        }
    }

    /** Turns a response into success (copying its data) or the exception naming what went wrong. */
    private void check(AtaCommand c, ByteBuf frame) throws AoeIoException {
        int r = frame.readerIndex();
        if (HeaderFlyweight.isError(frame)) {
            int code = HeaderFlyweight.errorCode(frame);
            throw new AoeErrorException(address + ": " + c.describe() + ": target answered AoE error " + code + " ("
                    + AoeError.describe(code) + ")", code);
        }
        if (!AtaFlyweight.hasRegisters(frame)) {
            throw new BadResponseException(address + ": " + c.describe() + ": response of " + frame.readableBytes()
                    + " bytes has no ATA registers");
        }
        int status = AtaFlyweight.cmdStatus(frame);
        int error = AtaFlyweight.errFeature(frame);
        if ((status & AtaCommands.STATUS_FAILURE_MASK) != 0) {
            throw new AtaErrorException(address + ": " + c.describe() + " failed: ATA status 0x"
                    + Integer.toHexString(status) + ", error 0x" + Integer.toHexString(error) + describeError(error),
                    status, error);
        }
        if (c.readInto != null) {
            int need = c.readInto.remaining();
            int have = frame.readableBytes() - AtaFlyweight.DATA_OFFSET;
            if (have < need) {
                throw new BadResponseException(address + ": " + c.describe() + ": response carries " + have
                        + " data bytes, " + need + " expected");
            }
            frame.getBytes(r + AtaFlyweight.DATA_OFFSET, c.readInto.duplicate());
        }
    }

    private static String describeError(int error) {
        if ((error & AtaCommands.ERROR_IDNF) != 0) {
            return " (IDNF: address out of range)";
        }
        if ((error & AtaCommands.ERROR_UNC) != 0) {
            return " (UNC: media error)";
        }
        if ((error & AtaCommands.ERROR_ABRT) != 0) {
            return " (ABRT: command aborted: unsupported, or the device is read-only)";
        }
        return "";
    }

    private void onTimeout(AtaCommand c, int tag) {
        AoeIoException failure = null;
        synchronized (this) {
            if (!tags.remove(tag, c)) {
                return;   // answered meanwhile
            }
            flying.remove(c);
            DevicePath path = c.path;
            path.inFlight--;
            path.lost++;
            path.window.onLoss();
            path.rtt.backOff();
            if (closed) {
                failure = new AoeIoException(address + " was closed with " + c.describe() + " in flight");
            } else if (System.nanoTime() - c.firstSentNanos >= deadNanos) {
                failure = new DeviceTimeoutException(address + ": " + c.describe() + ": no answer for "
                        + Duration.ofNanos(deadNanos).toSeconds() + " s after " + c.transmissions + " transmissions");
            } else {
                retransmits.increment();
                c.avoid = path;
                queue.addFirst(c);
            }
            pump();
        }
        if (failure != null) {
            c.done.completeExceptionally(failure);
        }
    }

    /** Fails everything queued or in flight; later submissions fail at once. */
    void close() {
        List<AtaCommand> failed = new ArrayList<>();
        synchronized (this) {
            closed = true;
            failed.addAll(queue);
            queue.clear();
            for (AtaCommand c : flying) {
                if (tags.remove(c.tag, c)) {
                    c.timer.cancel();
                    c.path.inFlight--;
                    failed.add(c);
                }
            }
            flying.clear();
        }
        AoeIoException e = new AoeIoException(address + " was closed");
        failed.forEach(c -> c.done.completeExceptionally(e));
    }
}
