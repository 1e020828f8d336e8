package dev.aoe.link.afpacket;

/**
 * TPACKET_V2: fixed-size slots, each starting with a {@code struct tpacket2_hdr}.
 * <pre>
 *  0       4        8           12      14      16
 *  +-------+--------+-----------+-------+-------+-- ... --+------------------+
 *  |status | tp_len | tp_snaplen|tp_mac |tp_net | ts, vlan | frame at tp_mac |
 *  +-------+--------+-----------+-------+-------+-- ... --+------------------+
 * </pre>
 */
final class FrameRing extends RxRing {

    private static final int STATUS = 0;
    private static final int LEN = 4;
    private static final int SNAPLEN = 8;
    private static final int MAC = 12;
    private static final int BLOCK_SIZE = 1 << 16;
    private static final int RING_BYTES = 8 << 20;

    private final int frameSize;
    private final int frames;
    private int next;

    private FrameRing(int fd, int frameSize, int frames) {
        super(fd, frameSize * frames);
        this.frameSize = frameSize;
        this.frames = frames;
    }

    static FrameRing open(int fd, int frameSize) {
        int blockSize = Math.max(BLOCK_SIZE, frameSize);
        int blocks = Math.max(16, RING_BYTES / blockSize);
        int frames = blocks * (blockSize / frameSize);
        request(fd, LibC.TPACKET_V2, blockSize, blocks, frameSize, frames);
        return new FrameRing(fd, frameSize, frames);
    }

    @Override
    boolean ready() {
        return (status(next * frameSize + STATUS) & TP_STATUS_USER) != 0;
    }

    @Override
    int drain(FrameSink sink, int budget) {
        int delivered = 0;
        while (delivered < budget) {
            int slot = next * frameSize;
            if ((status(slot + STATUS) & TP_STATUS_USER) == 0) {
                break;
            }
            int snaplen = memory.getInt(slot + SNAPLEN);
            if (snaplen == memory.getInt(slot + LEN)) {
                sink.frame(slot + (memory.getShort(slot + MAC) & 0xFFFF), snaplen);
            } else {
                countTruncated();
            }
            release(slot + STATUS);
            next = next + 1 == frames ? 0 : next + 1;
            delivered++;
        }
        return delivered;
    }
}
