package dev.aoe.boot;

/**
 * A boot that could not be set up or did not reach what was expected, with one line saying why.
 * {@link Reason#BAD_INPUT} is the caller's mistake (a missing file, an image nothing can boot from),
 * found before anything was started.
 */
public final class BootException extends RuntimeException {

    /** What went wrong. */
    public enum Reason {
        /** An argument is wrong: nothing was started. */
        BAD_INPUT,
        /** This machine lacks a tool or a privilege, or a helper process would not start. */
        ENVIRONMENT,
        /** The guest printed a line that ends any boot (a panic, iPXE giving up, the initramfs's shell). */
        GUEST_FAILURE,
        /** QEMU ended before the console showed what was awaited. */
        QEMU_EXITED,
        /** The time ran out. */
        TIMEOUT
    }

    private final Reason reason;

    public BootException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public BootException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
