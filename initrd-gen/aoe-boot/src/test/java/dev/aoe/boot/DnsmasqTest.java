package dev.aoe.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DnsmasqTest {

    static final Dnsmasq.Subnet NET = new Dnsmasq.Subnet("192.0.2", "2001:db8:a0e:1");

    @Test
    void pxeServesOnlyTheTapWithTftpAndTheIpxeScript() {
        String c = Dnsmasq.config("aoetap1x1", NET, Path.of("/w"), Path.of("/w/tftp"), null);
        assertThat(c.lines()).contains("port=0", "interface=aoetap1x1", "bind-interfaces", "except-interface=lo",
                "dhcp-range=192.0.2.100,192.0.2.150,255.255.255.0,1h", "enable-ra",
                "dhcp-range=::,constructor:aoetap1x1,ra-only,64,1h", "dhcp-option=tag:ipxe,encap:175,176,1", "no-ping",
                "enable-tftp", "tftp-root=/w/tftp", "dhcp-boot=tag:ipxe,boot.ipxe", "dhcp-leasefile=/w/dnsmasq.leases",
                "log-facility=-", "pid-file=");
        assertThat(c).doesNotContain("root-path");
    }

    @Test
    void sanbootGivesTheRootPathAndNoTftp() {
        String c = Dnsmasq.config("aoetap1x1", NET, Path.of("/w"), null, "aoe:e0.1");
        assertThat(c.lines()).contains("dhcp-option=option:root-path,aoe:e0.1").doesNotContain("enable-tftp");
    }
}
