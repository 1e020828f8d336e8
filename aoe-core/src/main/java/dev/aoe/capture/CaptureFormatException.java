package dev.aoe.capture;

import java.io.IOException;

/** A capture file that is not pcap or pcapng, or is cut short. */
public final class CaptureFormatException extends IOException {

    public CaptureFormatException(String message) {
        super(message);
    }
}
