/**
 * Boot testing: {@link dev.aoe.boot.AoeBoot} exports images with the AoE target in-process, starts QEMU
 * wired to it over a tap or UDP, and hands back a {@link dev.aoe.boot.BootedVm} that watches the serial
 * console. Also the Debian kernel the tests boot ({@link dev.aoe.boot.DebianKernel}) and whole-disk
 * images for iPXE's sanboot ({@link dev.aoe.boot.DiskImage}). Uses the target and initrd-gen as
 * libraries; the image generator itself never depends on this package.
 */
package dev.aoe.boot;
