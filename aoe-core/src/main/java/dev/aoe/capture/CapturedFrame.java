package dev.aoe.capture;

import java.time.Instant;

/** One record of a capture file: when, the bytes captured, and the frame's original length. */
public record CapturedFrame(Instant timestamp, byte[] data, int originalLength) {
}
