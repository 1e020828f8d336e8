package dev.aoe.initiator;

import java.io.IOException;

/** An I/O request to an AoE device failed; the message names the device and the request. */
public class AoeIoException extends IOException {

    public AoeIoException(String message) {
        super(message);
    }

    public AoeIoException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The target answered with the E flag and an AoE error code (AoEr11 §2.4). */
    public static final class AoeErrorException extends AoeIoException {
        private final int code;

        public AoeErrorException(String message, int code) {
            super(message);
            this.code = code;
        }

        public int code() {
            return code;
        }
    }

    /** The target's ATA status reported an error (status &amp; 0xA9): out of range, aborted, media error. */
    public static final class AtaErrorException extends AoeIoException {
        private final int status;
        private final int error;

        public AtaErrorException(String message, int status, int error) {
            super(message);
            this.status = status;
            this.error = error;
        }

        public int status() {
            return status;
        }

        public int error() {
            return error;
        }
    }

    /**
     * Two targets with different identities (capacity, serial, model) answer for one address: the
     * device is refused rather than having its reads and writes spread over two disks.
     */
    public static final class ConflictingTargetsException extends AoeIoException {
        public ConflictingTargetsException(String message) {
            super(message);
        }
    }

    /** No answer within the dead-target time. */
    public static final class DeviceTimeoutException extends AoeIoException {
        public DeviceTimeoutException(String message) {
            super(message);
        }
    }

    /** A response that does not fit its request (too little data): the request fails, no buffer is touched. */
    public static final class BadResponseException extends AoeIoException {
        public BadResponseException(String message) {
            super(message);
        }
    }

    /** No target answered for the address. */
    public static final class DeviceNotFoundException extends AoeIoException {
        public DeviceNotFoundException(String message) {
            super(message);
        }
    }
}
