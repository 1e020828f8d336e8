package dev.aoe.link.afpacket;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.aoe.link.LinkException;

/**
 * {@code PACKET_FANOUT} by source MAC: a classic BPF program that the kernel runs for each frame of
 * the group to pick the socket that receives it.
 * <pre>
 *  ld  [SKF_LL_OFF + 8]   A = bytes 8..11 of the Ethernet header: the last four of the source MAC
 *  mod #count             A = A % count
 *  ret a                  the index of the socket
 * </pre>
 * {@code struct sock_filter} is {u16 code, u8 jt, u8 jf, u32 k}; {@code struct sock_fprog} is
 * {u16 len, (padding), struct sock_filter *filter} on LP64.
 */
final class FanoutProgram {

    private static final int PACKET_FANOUT = 18;
    private static final int PACKET_FANOUT_DATA = 22;
    private static final int PACKET_FANOUT_CBPF = 6;
    /** Classic BPF: absolute word load, modulo by a constant, return the accumulator. */
    private static final short LD_W_ABS = 0x20;
    private static final short ALU_MOD_K = 0x94;
    private static final short RET_A = 0x16;
    /** Offsets from here address the link-layer header, whatever the skb's data points at. */
    private static final int SKF_LL_OFF = -0x200000;

    private FanoutProgram() {
    }

    /** Joins the socket to fanout group {@code group} in classic-BPF mode. */
    static void join(int fd, int group, String name) {
        try (Memory value = new Memory(4)) {
            value.setInt(0, group | PACKET_FANOUT_CBPF << 16);
            LibC.setsockopt(fd, LibC.SOL_PACKET, PACKET_FANOUT, value, 4);
        } catch (LastErrorException e) {
            throw new LinkException("cannot share " + name + " between threads (PACKET_FANOUT): " + LibC.describe(e), e);
        }
    }

    /** Gives the group (through one of its sockets) the program that spreads frames by source MAC. */
    static void attach(int fd, int count) {
        try (Memory filter = new Memory(3 * 8); Memory prog = new Memory(16)) {
            instruction(filter, 0, LD_W_ABS, SKF_LL_OFF + 8);
            instruction(filter, 1, ALU_MOD_K, count);
            instruction(filter, 2, RET_A, 0);
            prog.clear();
            prog.setShort(0, (short) 3);
            prog.setPointer(8, filter);
            LibC.setsockopt(fd, LibC.SOL_PACKET, PACKET_FANOUT_DATA, prog, 16);
        } catch (LastErrorException e) {
            throw new LinkException("cannot set the fanout program: " + LibC.describe(e), e);
        }
    }

    private static void instruction(Pointer filter, int index, short code, int k) {
        filter.setShort(8L * index, code);
        filter.setByte(8L * index + 2, (byte) 0);
        filter.setByte(8L * index + 3, (byte) 0);
        filter.setInt(8L * index + 4, k);
    }
}
