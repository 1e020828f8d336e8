package dev.aoe.link.afpacket;

/**
 * TPACKET_V3: blocks of variable-size frames. A block starts with a {@code struct tpacket_block_desc};
 * its frames are chained by {@code tp_next_offset}.
 * <pre>
 * block:  0        4              8             12         16
 *         +--------+--------------+-------------+----------+---------------------+--
 *         |version |offset_to_priv| block_status| num_pkts |offset_to_first_pkt  | ...
 *         +--------+--------------+-------------+----------+---------------------+--
 * frame:  0              12          16       20         24
 *         +--------------+-----------+--------+----------+-------+--
 *         |tp_next_offset| tp_snaplen| tp_len | tp_status| tp_mac| ...
 *         +--------------+-----------+--------+----------+-------+--
 * </pre>
 */
final class BlockRing extends RxRing {

    private static final int BLOCK_STATUS = 8;
    private static final int NUM_PKTS = 12;
    private static final int FIRST_PKT = 16;
    private static final int NEXT_OFFSET = 0;
    private static final int SNAPLEN = 12;
    private static final int LEN = 16;
    private static final int MAC = 24;
    private static final int RING_BYTES = 8 << 20;
    private static final int RETIRE_MILLIS = 1;

    private final int blockSize;
    private final int blocks;
    private int next;

    private BlockRing(int fd, int blockSize, int blocks) {
        super(fd, blockSize * blocks);
        this.blockSize = blockSize;
        this.blocks = blocks;
    }

    static BlockRing open(int fd, int frameSize) {
        int blockSize = Math.max(4096, 2 * frameSize);
        int blocks = RING_BYTES / blockSize;
        request(fd, LibC.TPACKET_V3, blockSize, blocks, frameSize, blocks * (blockSize / frameSize), RETIRE_MILLIS,
                0, 0);
        return new BlockRing(fd, blockSize, blocks);
    }

    @Override
    boolean ready() {
        return (status(next * blockSize + BLOCK_STATUS) & TP_STATUS_USER) != 0;
    }

    @Override
    int drain(FrameSink sink, int budget) {
        int delivered = 0;
        while (delivered < budget) {
            int block = next * blockSize;
            if ((status(block + BLOCK_STATUS) & TP_STATUS_USER) == 0) {
                break;
            }
            int count = memory.getInt(block + NUM_PKTS);
            int frame = block + memory.getInt(block + FIRST_PKT);
            for (int i = 0; i < count; i++) {
                int snaplen = memory.getInt(frame + SNAPLEN);
                if (snaplen == memory.getInt(frame + LEN)) {
                    sink.frame(frame + (memory.getShort(frame + MAC) & 0xFFFF), snaplen);
                } else {
                    countTruncated();
                }
                frame += memory.getInt(frame + NEXT_OFFSET);
            }
            release(block + BLOCK_STATUS);
            next = next + 1 == blocks ? 0 : next + 1;
            delivered += count;
        }
        return delivered;
    }
}
