package dev.aoe.ata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aoe.frame.MalformedFrameException;
import org.junit.jupiter.api.Test;

class IdentifyDataTest {

    @Test
    void buildsWhatLinuxReads() {
        IdentifyData id = IdentifyData.builder().serial("0.1:host").firmware("V1").model("AoE Java target")
                .sectors(1L << 33).build();
        byte[] b = id.toBytes();
        assertThat(b).hasSize(512);
        IdentifyData parsed = IdentifyData.parse(b);
        assertThat(parsed).isEqualTo(id);
        assertThat(parsed.model()).isEqualTo("AoE Java target");
        assertThat(parsed.serial()).isEqualTo("0.1:host");
        assertThat(parsed.firmware()).isEqualTo("V1");
        assertThat(parsed.lba48()).isTrue();
        assertThat(parsed.capacitySectors()).isEqualTo(1L << 33);
        assertThat(parsed.lba28Sectors()).isEqualTo(IdentifyData.MAX_LBA28_SECTORS);
        assertThat(parsed.flushCache()).isTrue();
        assertThat(parsed.flushCacheExt()).isTrue();
        // vblade's values plus bit 13 (FLUSH CACHE EXT): 83 = 0x7400, 86 = 0x3400, 84 = 87 = 0x4000, 49 = 0x0200
        assertThat(parsed.word(83)).isEqualTo(0x7400);
        assertThat(parsed.word(86)).isEqualTo(0x3400);
        assertThat(parsed.word(84)).isEqualTo(0x4000);
        assertThat(parsed.word(87)).isEqualTo(0x4000);
        assertThat(parsed.word(49)).isEqualTo(0x0200);
        // LBA48 capacity at byte 200 as a little-endian 64-bit value (Linux: get_unaligned_le64(&id[200]))
        assertThat(b[200 + 4]).isEqualTo((byte) 2);
    }

    @Test
    void swapsTheCharactersOfEachWord() {
        byte[] b = IdentifyData.builder().model("Coraid EtherDrive vblade").build().toBytes();
        // "Co" is word 27: 'C' in the high byte, so byte 54 is 'o' and byte 55 is 'C'
        assertThat((char) b[54]).isEqualTo('o');
        assertThat((char) b[55]).isEqualTo('C');
        assertThat((char) b[27 * 2 + 39]).isEqualTo(' ');
    }

    @Test
    void lba28OnlyDeviceReportsWords60And61() {
        IdentifyData id = IdentifyData.builder().sectors(131072).lba48(false).flushCacheExt(false).build();
        assertThat(id.lba48()).isFalse();
        assertThat(id.capacitySectors()).isEqualTo(131072);
        assertThat(id.lba48Sectors()).isZero();
        assertThat(id.flushCache()).isTrue();
        assertThat(id.flushCacheExt()).isFalse();
        assertThat(id.word(60)).isZero();
        assertThat(id.word(61)).isEqualTo(2);
    }

    @Test
    void rejectsShortData() {
        assertThatThrownBy(() -> IdentifyData.parse(new byte[100])).isInstanceOf(MalformedFrameException.class)
                .hasMessageContaining("IDENTIFY data: 100 bytes");
    }
}
