package dev.aoe.frame;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.Unpooled;

/**
 * Coverage-guided fuzzing of the decoder (Jazzer): any bytes either decode, and then the flyweights
 * read what the record holds and the frame re-encodes to one that decodes the same, or fail with the
 * typed {@link MalformedFrameException}; nothing else escapes, and nothing past the input is read
 * (the buffer is exactly the input). Plain test runs replay the saved inputs; the build fuzzes for
 * {@code fuzz.duration} in a JVM of its own.
 */
class CodecFuzzTest {

    @FuzzTest(maxDuration = "20s")
    void decodesOrRefusesWithTheTypedError(byte[] input) {
        AoeFrame frame;
        try {
            frame = FrameCodec.decode(Unpooled.wrappedBuffer(input));
        } catch (MalformedFrameException expected) {
            return;
        }
        FrameFuzzTest.assertFlyweightsAgree(input, frame);
        AoeFrame again = FrameCodec.decode(Unpooled.wrappedBuffer(FrameFuzzTest.encode(frame)));
        if (!(frame.arg() instanceof RawArg)) {
            assertThat(again).isEqualTo(frame);
        }
    }
}
