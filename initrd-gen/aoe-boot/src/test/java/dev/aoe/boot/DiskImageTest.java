package dev.aoe.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class DiskImageTest {

    /**
     * The bytes sfdisk 2.38 wrote for start=2048,size=65536,type=e,bootable and start=67584,size=131072,type=83
     * (the disk in /tmp/bootlab/REPORT.md), CHS fields included.
     */
    @Test
    void partitionTableMatchesSfdisk() {
        ByteBuffer mbr = DiskImage.bootSector(new byte[440], List.of(new DiskImage.Partition(0x0E, true, 2048, 65536),
                new DiskImage.Partition(0x83, false, 67584, 131072)));
        byte[] table = new byte[66];
        mbr.get(446, table);
        assertThat(HexFormat.of().formatHex(table)).isEqualTo(
                "80" + "202100" + "0e" + "343004" + "00080000" + "00000100"
                + "00" + "343104" + "83" + "5d110c" + "00080100" + "00000200"
                + "0000000000000000000000000000000000000000000000000000000000000000" + "55aa");
    }

    @Test
    void syslinuxBootsTheKernelWithTheRootOnPartitionTwo() {
        assertThat(DiskImage.syslinuxConfig("quiet")).contains("DEFAULT linux", "KERNEL vmlinuz", "INITRD initrd.img",
                "APPEND console=ttyS0 panic=-1 root=/dev/etherd/e0.1p2 rw rootwait quiet");
    }
}
