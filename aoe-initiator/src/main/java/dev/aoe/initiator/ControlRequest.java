package dev.aoe.initiator;

import dev.aoe.frame.AoeFrame;
import dev.aoe.frame.FrameCodec;
import dev.aoe.frame.MalformedFrameException;
import dev.aoe.initiator.protocol.Pending;
import dev.aoe.initiator.protocol.TagSpace;
import dev.aoe.link.FrameLink;
import dev.aoe.link.LinkException;
import io.netty.buffer.ByteBuf;
import io.netty.util.Timeout;
import io.netty.util.Timer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * A Query Config, MAC Mask or Reserve/Release request: sent, resent every {@link #RETRY} with a new
 * tag, until an answer arrives or the wait is over. Some requests are answered by silence (a config
 * test that does not match), so "no answer" is a result here, not an error.
 */
final class ControlRequest implements Pending {

    static final Duration RETRY = Duration.ofMillis(250);

    private final TagSpace tags;
    private final Timer timer;
    private final FrameLink link;
    private final IntFunction<AoeFrame> frameWithTag;
    private final long deadline;
    private final CompletableFuture<Optional<AoeFrame>> result = new CompletableFuture<>();
    private int tag;
    private Timeout timeout;

    private ControlRequest(TagSpace tags, Timer timer, FrameLink link, IntFunction<AoeFrame> frameWithTag, Duration wait) {
        this.tags = tags;
        this.timer = timer;
        this.link = link;
        this.frameWithTag = frameWithTag;
        this.deadline = System.nanoTime() + wait.toNanos();
    }

    /** Sends the frame {@code frameWithTag} builds for each tag; completes with the answer or empty. */
    static CompletableFuture<Optional<AoeFrame>> send(TagSpace tags, Timer timer, FrameLink link,
                                                      IntFunction<AoeFrame> frameWithTag, Duration wait) {
        ControlRequest r = new ControlRequest(tags, timer, link, frameWithTag, wait);
        r.transmit();
        return r.result;
    }

    private synchronized void transmit() {
        tag = tags.register(this);
        int sent = tag;
        long left = deadline - System.nanoTime();
        timeout = timer.newTimeout(t -> expire(sent), Math.max(1, Math.min(left, RETRY.toNanos())), TimeUnit.NANOSECONDS);
        try {
            link.send(FrameCodec.encode(frameWithTag.apply(tag), link.alloc()));
        } catch (LinkException e) {
            // the timer resends
        }
    }

    private void expire(int sent) {
        synchronized (this) {
            if (!tags.remove(sent, this)) {
                return;
            }
            if (System.nanoTime() < deadline) {
                transmit();
                return;
            }
        }
        result.complete(Optional.empty());
    }

    @Override
    public void onResponse(int responseTag, FrameLink from, ByteBuf frame) {
        synchronized (this) {
            if (!tags.remove(responseTag, this)) {
                return;
            }
            timeout.cancel();
        }
        try {
            result.complete(Optional.of(FrameCodec.decode(frame)));
        } catch (MalformedFrameException e) {
            result.completeExceptionally(new AoeIoException("malformed answer from " + from.name() + ": " + e.getMessage()));
        }
    }
}
