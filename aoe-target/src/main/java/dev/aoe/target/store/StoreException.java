package dev.aoe.target.store;

/** A file that cannot be exported, with a one-line reason for the user. */
public final class StoreException extends Exception {

    public StoreException(String message) {
        super(message);
    }
}
