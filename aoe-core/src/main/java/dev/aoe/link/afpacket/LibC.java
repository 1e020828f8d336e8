package dev.aoe.link.afpacket;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The few libc calls an AF_PACKET socket needs, bound with JNA direct mapping (no per-call
 * reflection). Constants are Linux x86-64/arm64 values from {@code <linux/if_packet.h>} and friends.
 */
final class LibC {

    static final int AF_PACKET = 17;
    static final int SOCK_RAW = 3;
    static final int SOL_PACKET = 263;
    static final int SOL_SOCKET = 1;
    static final int SO_RCVBUF = 8;
    static final int PACKET_RX_RING = 5;
    static final int PACKET_STATISTICS = 6;
    static final int PACKET_VERSION = 10;
    static final int PACKET_QDISC_BYPASS = 20;
    static final int TPACKET_V2 = 1;
    static final int TPACKET_V3 = 2;
    static final int PROT_READ_WRITE = 3;
    static final int MAP_SHARED = 1;
    static final int POLLIN = 1;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int EPERM = 1;
    static final int ENODEV = 19;
    static final int ENETDOWN = 100;
    static final int EAFNOSUPPORT = 97;
    static final int ENXIO = 6;
    static final int EFD_NONBLOCK = 0x800;
    static final int EFD_CLOEXEC = 0x80000;
    static final Pointer MAP_FAILED = new Pointer(-1);

    static {
        Native.register(LibC.class, "c");
    }

    private LibC() {
    }

    static native int socket(int domain, int type, int protocol) throws LastErrorException;

    static native int bind(int fd, Pointer address, int length) throws LastErrorException;

    static native int setsockopt(int fd, int level, int name, Pointer value, int length) throws LastErrorException;

    static native int getsockopt(int fd, int level, int name, Pointer value, Pointer length) throws LastErrorException;

    static native Pointer mmap(Pointer address, long length, int prot, int flags, int fd, long offset)
            throws LastErrorException;

    static native int munmap(Pointer address, long length) throws LastErrorException;

    static native int poll(Pointer fds, int count, int timeoutMillis) throws LastErrorException;

    static native int sendmmsg(int fd, Pointer messages, int count, int flags) throws LastErrorException;

    static native int close(int fd) throws LastErrorException;

    static native int eventfd(int initialValue, int flags) throws LastErrorException;

    static native long write(int fd, Pointer buffer, long count) throws LastErrorException;

    static native String strerror(int errno);

    /** "Operation not permitted (errno 1)". */
    static String describe(LastErrorException e) {
        return strerror(e.getErrorCode()) + " (errno " + e.getErrorCode() + ")";
    }
}
