package dev.aoe.link;

/** This kind of link cannot work on this system at all (not Linux, no native access, an old kernel). */
public final class LinkUnsupportedException extends LinkException {

    public LinkUnsupportedException(String message, Throwable cause) {
        super(message, cause);
    }
}
