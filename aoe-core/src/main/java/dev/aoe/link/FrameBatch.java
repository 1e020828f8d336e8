package dev.aoe.link;

import io.netty.buffer.ByteBuf;

/**
 * Frames built where they are sent from and sent together: on AF_PACKET, straight into the slots of
 * one {@code sendmmsg} batch, with no copy and no buffer per frame. One sender uses one batch object,
 * from one thread at a time:
 * <pre>
 * batch.open();
 * try {
 *     ByteBuf f = batch.frame(length);   // write the frame at its writer index
 *     batch.commit(f);                    // queued (sent at once where the link cannot batch)
 * } finally {
 *     batch.close();                      // the queued frames leave
 * }
 * </pre>
 */
public interface FrameBatch extends AutoCloseable {

    /** Starts a batch on the calling thread (it may take the link's send lock until {@link #close}). */
    void open();

    /** A buffer for one frame of up to {@code capacity} bytes; commit it before asking for the next. */
    ByteBuf frame(int capacity);

    /**
     * Queues a frame from {@link #frame}; takes ownership of it.
     *
     * @throws LinkException when the link cannot send (the frame is released)
     */
    void commit(ByteBuf frame);

    /**
     * Sends what was committed and ends the batch. On a link's receive thread the frames may leave a
     * little later, with the replies of the frames it is handling.
     *
     * @throws LinkException when the link cannot send
     */
    @Override
    void close();
}
