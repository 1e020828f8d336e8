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
import dev.aoe.link.FrameBatch;
import dev.aoe.link.FrameLink;
import dev.aoe.link.LinkException;
import io.netty.buffer.ByteBuf;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Moves one device's requests over its paths as ATA frames. Requests wait in a queue and are carved
 * into frames as the paths' windows allow; each frame in flight occupies a slot, and its tag is the
 * slot's number and the slot's generation, so an answer finds its frame without a map and a late
 * answer to an earlier transmission is recognised. Nothing is allocated per frame: frames are
 * written in place into the link's send batch through a flyweight.
 * <p>
 * Losses are found two ways, by the initiator's clock ({@link #tick}, every few milliseconds while
 * there is work): a frame unanswered past its path's RTO, or, as TCP's fast retransmit does, a frame
 * some transmissions older than the newest answered one on its path (3 at first, more each time a
 * frame taken for lost turns out to have been late) and older than a typical round trip (SRTT + 4
 * RTTVAR): a target serving from a thread pool answers out of order. A late answer to the
 * transmission before the current one completes the frame as well as the current one would. A
 * lost frame is sent again with a new tag, on another path when there is one; one loss event halves
 * a path's window once. While the target is silent the clock asks for probes (config queries), and
 * an answer to one sends every frame in flight again at once, so I/O resumes right after a
 * blackout. When no ATA answer arrives for the dead time while there is work, everything fails with
 * a {@link DeviceTimeoutException}. One lock guards the engine: answers arrive on the links'
 * threads, requests on the users', ticks on the clock's.
 */
final class FrameEngine {

    /** Silence after which the clock probes for the target, and how often it probes then. */
    static final long PROBE_AFTER_NANOS = Duration.ofMillis(200).toNanos();
    static final long PROBE_EVERY_NANOS = Duration.ofMillis(250).toNanos();
    /** The most frames in flight on all paths together. */
    static final int MAX_SLOTS = 1024;

    static final int TICK_IDLE = 0;
    static final int TICK_BUSY = 1;
    static final int TICK_PROBE = 2;

    private enum State { FREE, FLYING, QUEUED }

    /** One frame in flight (or waiting to be sent again). */
    private static final class Slot {
        final int index;
        int generation;
        int tag;
        /** The tag and path of the transmission before this one: its late answer is as good. */
        int previousTag;
        DevicePath previousPath;
        State state = State.FREE;
        Request request;
        long lba;
        int units;
        DevicePath path;
        long seq;
        long sentNanos;
        int transmissions;

        Slot(int index) {
            this.index = index;
        }
    }

    private final AoeAddress address;
    private final long deadNanos;
    private final Clock clock;
    private final AtaFlyweight flyweight = new AtaFlyweight();
    private DevicePath[] paths = new DevicePath[0];
    private int nextPath;
    private int maxSectors;
    private final ArrayDeque<Request> queue = new ArrayDeque<>();
    private Slot[] slots = new Slot[0];
    private int[] free = new int[0];
    private int freeCount;
    /** Slots waiting to be sent again, oldest first; entries whose slot is no longer QUEUED are skipped. */
    private int[] resend = new int[16];
    private int resendHead;
    private int resendSize;
    private int flying;
    private FrameBatch openBatch;
    private long lastAnswerNanos;
    private long busySinceNanos;
    private long lastProbeNanos;
    private AoeIoException failedWith;
    private long retransmits;
    private long ignored;

    FrameEngine(AoeAddress address, Clock clock, Duration deadTime, int maxSectors) {
        this.address = address;
        this.clock = clock;
        this.deadNanos = deadTime.toNanos();
        this.maxSectors = maxSectors;
        this.lastAnswerNanos = System.nanoTime();
    }

    AoeAddress address() {
        return address;
    }

    synchronized List<DevicePath> paths() {
        return List.of(paths);
    }

    synchronized int maxSectors() {
        return maxSectors;
    }

    /** Adds a path; the slot table grows with the sum of the windows' caps. */
    synchronized void addPath(DevicePath path) {
        paths = Arrays.copyOf(paths, paths.length + 1);
        paths[paths.length - 1] = path;
        maxSectors = Math.min(maxSectors, AtaFlyweight.sectorsPerFrame(path.link.mtu()));
        int want = 0;
        for (DevicePath p : paths) {
            want += p.window.cap();
        }
        growSlots(Math.min(MAX_SLOTS, want));
        pump();
    }

    /** The path {@code link}/{@code mac}, or null. */
    synchronized DevicePath path(FrameLink link, long mac) {
        for (DevicePath p : paths) {
            if (p.is(link, mac)) {
                return p;
            }
        }
        return null;
    }

    /** A path on probation passed its identity check: it carries ordinary I/O from now on. */
    synchronized void confirm(DevicePath path) {
        path.confirmed = true;
        pump();
    }

    private void growSlots(int count) {
        if (count <= slots.length) {
            return;
        }
        int old = slots.length;
        slots = Arrays.copyOf(slots, count);
        free = Arrays.copyOf(free, count);
        for (int i = count - 1; i >= old; i--) {
            slots[i] = new Slot(i);
            free[freeCount++] = i;
        }
        if (resend.length < count) {
            int[] bigger = new int[Integer.highestOneBit(count) * 4];
            for (int i = 0; i < resendSize; i++) {
                bigger[i] = resend[(resendHead + i) & (resend.length - 1)];
            }
            resend = bigger;
            resendHead = 0;
        }
    }

    void submit(Request request) {
        boolean wake;
        synchronized (this) {
            if (failedWith != null) {
                request.finished = true;
                request.done.completeExceptionally(failedWith);
                return;
            }
            wake = queue.isEmpty() && flying == 0 && resendSize == 0;
            if (wake) {
                busySinceNanos = System.nanoTime();
            }
            queue.addLast(request);
            pump();
        }
        if (wake) {
            clock.wake();
        }
    }

    /** Sends what the windows allow: frames to send again first, then new frames of the queued requests. */
    private void pump() {
        try {
            while (true) {
                Slot slot = nextResend();
                if (slot != null) {
                    DevicePath path = choosePath(slot.request.pinned, slot.path);
                    if (path == null) {
                        break;
                    }
                    resendHead = (resendHead + 1) & (resend.length - 1);
                    resendSize--;
                    retransmits++;
                    transmit(slot, path);
                    continue;
                }
                Request request = queue.peekFirst();
                if (request == null || freeCount == 0) {
                    break;
                }
                DevicePath path = choosePath(request.pinned, null);
                if (path == null) {
                    break;
                }
                slot = slots[free[--freeCount]];
                slot.request = request;
                slot.lba = request.lba + request.carved;
                slot.units = request.carve(maxSectors);
                slot.transmissions = 0;
                if (request.fullyCarved()) {
                    queue.pollFirst();
                }
                transmit(slot, path);
            }
        } finally {
            closeBatch();
        }
    }

    /** The oldest slot waiting to be sent again, or null; stale entries and finished requests are dropped. */
    private Slot nextResend() {
        while (resendSize > 0) {
            Slot slot = slots[resend[resendHead]];
            if (slot.state == State.QUEUED && !slot.request.finished) {
                return slot;
            }
            if (slot.state == State.QUEUED) {
                release(slot);
            }
            resendHead = (resendHead + 1) & (resend.length - 1);
            resendSize--;
        }
        return null;
    }

    /**
     * Round robin over the confirmed paths with room; {@code avoid} (where a frame was lost) and paths
     * that keep losing frames only when nothing else has room. A pinned request uses its path only.
     */
    private DevicePath choosePath(DevicePath pinned, DevicePath avoid) {
        if (pinned != null) {
            return pinned.hasRoom() ? pinned : null;
        }
        DevicePath fallback = null;
        int n = paths.length;
        for (int i = 0; i < n; i++) {
            DevicePath p = paths[(nextPath + i) % n];
            if (!p.confirmed || !p.hasRoom()) {
                continue;
            }
            if (p == avoid || p.down()) {
                fallback = fallback == null ? p : fallback;
                continue;
            }
            nextPath = (nextPath + i + 1) % n;
            return p;
        }
        return fallback;
    }

    private void transmit(Slot slot, DevicePath path) {
        Request r = slot.request;
        long now = System.nanoTime();
        slot.generation = (slot.generation + 1) & TagSpace.GENERATION_MASK;
        slot.previousTag = slot.transmissions == 0 ? 0 : slot.tag;
        slot.previousPath = slot.transmissions == 0 ? null : slot.path;
        slot.tag = TagSpace.ataTag(slot.generation, slot.index);
        slot.path = path;
        slot.seq = ++path.sendSeq;
        slot.sentNanos = now;
        slot.transmissions++;
        slot.state = State.FLYING;
        flying++;
        path.inFlight++;
        path.sent++;
        int dataSectors = r.write ? slot.units : 0;
        int length = AtaFlyweight.frameLength(dataSectors);
        try {
            if (openBatch != path.batch) {
                closeBatch();
                path.batch.open();
                openBatch = path.batch;
            }
            ByteBuf frame = openBatch.frame(Math.max(length, Ethernet.MIN_FRAME_LENGTH));
            int start = frame.writerIndex();
            AtaFlyweight f = flyweight.wrap(frame, start);
            f.header(path.macBits, path.localMac, false, address.shelf(), address.slot(), AoeCommand.ATA.code(),
                    slot.tag);
            int sectorField = r.sectors == 0 ? (r.opcode == AtaCommands.IDENTIFY_DEVICE ? 1 : 0) : slot.units;
            f.registers((r.extended ? AtaFlyweight.FLAG_EXTENDED : 0) | (r.write ? AtaFlyweight.FLAG_WRITE : 0), 0,
                    sectorField, r.opcode, slot.lba);
            if (dataSectors > 0) {
                int from = r.base + (int) (slot.lba - r.lba) * AoeDevice.SECTOR_SIZE;
                r.view.limit(from + dataSectors * AoeDevice.SECTOR_SIZE).position(from);
                frame.setBytes(f.dataIndex(), r.view);
            }
            frame.writerIndex(start + length);
            Ethernet.pad(frame, start);
            openBatch.commit(frame);
        } catch (LinkException e) {
            // counted as sent: the clock finds it lost and sends it again, on another path if there is one
            path.lastSendFailure = e.getMessage();
        }
    }

    private void closeBatch() {
        if (openBatch != null) {
            FrameBatch b = openBatch;
            openBatch = null;
            try {
                b.close();
            } catch (LinkException e) {
                // as in transmit: lost frames are found and sent again
                for (DevicePath p : paths) {
                    if (p.batch == b) {
                        p.lastSendFailure = e.getMessage();
                    }
                }
            }
        }
    }

    /** An ATA response to one of our tags, on {@code link}'s receive thread. */
    void onResponse(FrameLink link, ByteBuf frame) {
        int tag = HeaderFlyweight.tag(frame);
        Request completed = null;
        AoeIoException failure = null;
        synchronized (this) {
            int index = tag & TagSpace.SLOT_MASK;
            Slot slot = index < slots.length ? slots[index] : null;
            DevicePath answeredBy = slot == null || slot.state == State.FREE ? null
                    : tag == slot.tag ? slot.path : tag == slot.previousTag ? slot.previousPath : null;
            if (answeredBy == null || answeredBy.link != link || answeredBy.macBits != Ethernet.source(frame)) {
                ignored++;   // late or duplicate: its frame was answered, or sent twice since
                return;
            }
            long now = System.nanoTime();
            lastAnswerNanos = now;
            answeredBy.answered++;
            answeredBy.consecutiveLosses = 0;
            if (tag == slot.previousTag) {
                // the answer to a frame we took for lost and sent again: it was only late, so wait longer next time
                answeredBy.reorderThreshold = Math.min(2 * answeredBy.reorderThreshold, DevicePath.MAX_REORDER);
            } else {
                answeredBy.answeredSeq = Math.max(answeredBy.answeredSeq, slot.seq);
            }
            if (slot.state == State.FLYING) {
                flying--;
                slot.path.inFlight--;
                if (tag == slot.tag) {
                    slot.path.rtt.sample(now - slot.sentNanos);
                    slot.path.window.onAnswer();
                }
            }
            Request r = slot.request;
            if (!r.finished) {
                failure = check(r, slot, frame);
                r.answered += slot.units;
                if (failure != null || r.answered >= r.units()) {
                    r.finished = true;
                    completed = r;
                    if (failure != null) {
                        queue.remove(r);   // its frames not yet sent never will be
                    }
                }
            }
            release(slot);
            pump();
        }
        if (completed != null) {
            finish(completed, failure);
        }
    }

    private void release(Slot slot) {
        slot.state = State.FREE;
        slot.request = null;
        slot.path = null;
        free[freeCount++] = slot.index;
    }

    /** Null when the answer is good (its data copied into the request's buffer), else what went wrong. */
    private AoeIoException check(Request r, Slot slot, ByteBuf frame) {
        if (HeaderFlyweight.isError(frame)) {
            int code = HeaderFlyweight.errorCode(frame);
            return new AoeErrorException(address + ": " + r.describe(slot.lba, slot.units)
                    + ": target answered AoE error " + code + " (" + AoeError.describe(code) + ")", code);
        }
        if (!AtaFlyweight.hasRegisters(frame)) {
            return new BadResponseException(address + ": " + r.describe(slot.lba, slot.units) + ": response of "
                    + frame.readableBytes() + " bytes has no ATA registers");
        }
        int status = AtaFlyweight.cmdStatus(frame);
        if ((status & AtaCommands.STATUS_FAILURE_MASK) != 0) {
            int error = AtaFlyweight.errFeature(frame);
            return new AtaErrorException(address + ": " + r.describe(slot.lba, slot.units) + " failed: ATA status 0x"
                    + Integer.toHexString(status) + ", error 0x" + Integer.toHexString(error) + describeError(error),
                    status, error);
        }
        int need = r.expectedData(slot.units);
        if (need > 0) {
            int have = frame.readableBytes() - AtaFlyweight.DATA_OFFSET;
            if (have < need) {
                return new BadResponseException(address + ": " + r.describe(slot.lba, slot.units) + ": response carries "
                        + have + " data bytes, " + need + " expected");
            }
            int at = r.base + (int) (slot.lba - r.lba) * AoeDevice.SECTOR_SIZE;
            r.view.limit(at + need).position(at);
            frame.getBytes(frame.readerIndex() + AtaFlyweight.DATA_OFFSET, r.view);
        }
        return null;
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

    private static void finish(Request r, AoeIoException failure) {
        if (failure == null) {
            r.done.complete(null);
        } else {
            r.done.completeExceptionally(failure);
        }
    }

    /**
     * The clock's visit: finds lost frames and sends them again, fails everything after the dead
     * time, and says whether there is work ({@link #TICK_BUSY}) and whether to probe ({@link #TICK_PROBE}).
     */
    int tick(long now) {
        List<Request> failed = null;
        AoeIoException failure = null;
        int result;
        synchronized (this) {
            if (queue.isEmpty() && flying == 0 && resendSize == 0) {
                return TICK_IDLE;
            }
            long silentSince = Math.max(lastAnswerNanos, busySinceNanos);
            if (now - silentSince >= deadNanos) {
                failure = new DeviceTimeoutException(address + ": no answer from the target for "
                        + Duration.ofNanos(now - silentSince).toMillis() + " ms (the dead time is "
                        + Duration.ofNanos(deadNanos).toMillis() + " ms); " + describeWork());
                failed = failAll();
                result = TICK_IDLE;
            } else {
                failed = givenUp(now);
                failure = failed == null ? null : new DeviceTimeoutException(address
                        + ": no answer through a path on probation");
                for (Slot slot : slots) {
                    if (slot.state == State.FLYING && !slot.request.finished) {
                        DevicePath p = slot.path;
                        if (now - slot.sentNanos >= p.rtt.rtoNanos()) {
                            lose(slot, true);
                        } else if (slot.seq + p.reorderThreshold <= p.answeredSeq
                                && now - slot.sentNanos >= p.rtt.srttNanos() + 4 * p.rtt.rttvarNanos()) {
                            lose(slot, false);
                        }
                    } else if (slot.state == State.FLYING) {
                        flying--;
                        slot.path.inFlight--;
                        release(slot);
                    }
                }
                pump();
                result = TICK_BUSY;
                if (now - lastAnswerNanos >= PROBE_AFTER_NANOS && now - lastProbeNanos >= PROBE_EVERY_NANOS) {
                    lastProbeNanos = now;
                    result |= TICK_PROBE;
                }
            }
        }
        if (failed != null) {
            for (Request r : failed) {
                r.done.completeExceptionally(failure);
            }
        }
        return result;
    }

    /** Pinned requests past their own deadline, taken out and marked finished; null when there are none. */
    private List<Request> givenUp(long now) {
        List<Request> out = null;
        for (Slot slot : slots) {
            Request r = slot.state == State.FREE ? null : slot.request;
            if (r != null && !r.finished && r.giveUpNanos != 0 && now - r.giveUpNanos >= 0) {
                r.finished = true;
                out = out == null ? new ArrayList<>() : out;
                out.add(r);
            }
        }
        for (Request r : queue) {
            if (!r.finished && r.giveUpNanos != 0 && now - r.giveUpNanos >= 0) {
                r.finished = true;
                out = out == null ? new ArrayList<>() : out;
                out.add(r);
            }
        }
        if (out != null) {
            queue.removeAll(out);
        }
        return out;
    }

    private String describeWork() {
        int requests = queue.size();
        long sectors = 0;
        for (Slot slot : slots) {
            if (slot.state != State.FREE && !slot.request.finished) {
                sectors += slot.units;
            }
        }
        StringBuilder failures = new StringBuilder();
        for (DevicePath p : paths) {
            if (p.lastSendFailure != null) {
                failures.append("; ").append(p.lastSendFailure);
            }
        }
        return flying + " frames in flight (" + sectors + " sectors), " + requests + " requests waiting"
                + (paths.length == 0 ? "" : "; paths " + Arrays.toString(paths)) + failures;
    }

    private void lose(Slot slot, boolean timeout) {
        DevicePath p = slot.path;
        flying--;
        p.inFlight--;
        p.lost++;
        p.consecutiveLosses++;
        if (p.window.onLoss(slot.seq, p.sendSeq) && timeout) {
            p.rtt.backOff();
        }
        queueResend(slot);
    }

    private void queueResend(Slot slot) {
        if (resendSize == resend.length) {
            compactResend();
        }
        slot.state = State.QUEUED;
        resend[(resendHead + resendSize) & (resend.length - 1)] = slot.index;
        resendSize++;
    }

    /** Drops the entries of slots no longer waiting; the live ones are at most the slot count, half the ring. */
    private void compactResend() {
        int kept = 0;
        int mask = resend.length - 1;
        for (int i = 0; i < resendSize; i++) {
            int index = resend[(resendHead + i) & mask];
            if (slots[index].state == State.QUEUED) {
                resend[(resendHead + kept++) & mask] = index;
            }
        }
        resendSize = kept;
    }

    /**
     * The target answered a config query on {@code link} from {@code mac} (a probe, or its
     * announcement after a restart): frames in flight on that path sent before the probe are taken for
     * lost and sent again now, and the path's retransmit timeout starts afresh.
     */
    synchronized void heard(FrameLink link, long mac, long now) {
        DevicePath path = null;
        for (DevicePath p : paths) {
            if (p.is(link, mac)) {
                path = p;
            }
        }
        if (path == null || lastProbeNanos == 0 || now - lastAnswerNanos < PROBE_AFTER_NANOS) {
            return;
        }
        path.rtt.resetBackoff();
        path.consecutiveLosses = 0;
        for (Slot slot : slots) {
            if (slot.state == State.FLYING && slot.path == path && slot.sentNanos <= lastProbeNanos) {
                flying--;
                path.inFlight--;
                retransmits++;
                queueResend(slot);
            }
        }
        pump();
    }

    /** Fails what is queued and in flight, now and from then on (the device is closed or unusable). */
    void fail(AoeIoException failure) {
        List<Request> failed;
        synchronized (this) {
            if (failedWith == null) {
                failedWith = failure;
            }
            failed = failAll();
        }
        for (Request r : failed) {
            r.done.completeExceptionally(failure);
        }
    }

    private List<Request> failAll() {
        List<Request> failed = new ArrayList<>(queue);
        queue.clear();
        for (Slot slot : slots) {
            if (slot.state != State.FREE) {
                if (!slot.request.finished && !failed.contains(slot.request)) {
                    failed.add(slot.request);
                }
                if (slot.state == State.FLYING) {
                    slot.path.inFlight--;
                }
                release(slot);
            }
        }
        flying = 0;
        resendSize = 0;
        for (Request r : failed) {
            r.finished = true;
        }
        return failed;
    }

    synchronized long retransmits() {
        return retransmits;
    }

    synchronized long ignored() {
        return ignored;
    }

    /** Per path: frames sent, answered, lost; window; smoothed RTT and RTO. */
    synchronized List<String> pathStats() {
        List<String> lines = new ArrayList<>();
        for (DevicePath p : paths) {
            lines.add(String.format("%s%s sent=%d answered=%d lost=%d window=%.1f srtt=%dus rto=%dus", p,
                    p.confirmed ? "" : " (on probation)", p.sent, p.answered, p.lost, p.window.window(),
                    p.rtt.srttNanos() / 1000, p.rtt.rtoNanos() / 1000));
        }
        return lines;
    }
}
