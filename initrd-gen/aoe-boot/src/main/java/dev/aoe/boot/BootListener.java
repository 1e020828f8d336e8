package dev.aoe.boot;

/** Hears a boot as it happens; called on the threads that read QEMU's and dnsmasq's output, so keep it short. */
public interface BootListener {

    /** A serial console line, escape sequences removed. */
    default void consoleLine(String line) {
    }

    /** A step reached, once each. */
    default void milestone(Milestone milestone) {
    }
}
