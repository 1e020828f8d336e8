package dev.aoe.frame;

/**
 * The one exception the decoder raises for input it cannot accept. The message names the field and
 * the offsets involved; {@link #replyError()} is the AoE error a target answers with, if it answers.
 */
public final class MalformedFrameException extends RuntimeException {

    private final String field;
    private final AoeError replyError;

    public MalformedFrameException(String field, String detail, AoeError replyError) {
        super(field + ": " + detail);
        this.field = field;
        this.replyError = replyError;
    }

    /** A field of {@code needed} bytes at {@code offset} does not fit in a frame of {@code frameLength} bytes. */
    public static MalformedFrameException truncated(String field, int offset, int needed, int frameLength) {
        return new MalformedFrameException(field,
                "needs bytes " + offset + ".." + (offset + needed - 1) + " but the frame ends at byte " + frameLength,
                AoeError.BAD_ARGUMENT);
    }

    public String field() {
        return field;
    }

    public AoeError replyError() {
        return replyError;
    }
}
