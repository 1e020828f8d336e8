package dev.aoe.link;

/** A link could not be opened or used: missing interface, missing privilege, interface gone. */
public class LinkException extends RuntimeException {

    public LinkException(String message) {
        super(message);
    }

    public LinkException(String message, Throwable cause) {
        super(message, cause);
    }
}
