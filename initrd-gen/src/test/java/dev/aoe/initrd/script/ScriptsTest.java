package dev.aoe.initrd.script;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aoe.testing.Prerequisites;
import dev.aoe.testing.Processes;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The generated scripts under the host's busybox sh: syntax, command-line parsing, helpers. */
class ScriptsTest {

    @TempDir
    Path dir;
    Path busybox;

    @BeforeEach
    void setUp() throws Exception {
        busybox = Prerequisites.requireCommand("busybox", "busybox-static");
        for (String name : new String[] {"functions.sh", "init.sh", "linuxrc.sh", "udhcpc.script"}) {
            try (InputStream in = getClass().getResourceAsStream("/dev/aoe/initrd/script/" + name)) {
                Files.write(dir.resolve(name), in.readAllBytes());
            }
        }
    }

    String sh(String script) throws Exception {
        return Processes.check(busybox.toString(), "sh", "-c", ". " + dir.resolve("functions.sh") + "; " + script).trim();
    }

    @ParameterizedTest
    @ValueSource(strings = {"functions.sh", "init.sh", "linuxrc.sh", "udhcpc.script"})
    void scriptsParse(String name) throws Exception {
        Processes.check(busybox.toString(), "sh", "-n", dir.resolve(name).toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "root=/dev/etherd/e0.1 ro quiet                                            ; /dev/etherd/e0.1||ro|||",
        "root=/dev/etherd/e1.2p3 rw rootfstype=ext4 rootflags=noatime init=/bin/sh ; /dev/etherd/e1.2p3|ext4|rw|noatime|/bin/sh|",
        "root=UUID=1234-abcd rootwait break=premount                                ; UUID=1234-abcd||ro|||premount",
        "root=LABEL=aoeroot rw break rdinit=/bin/sh                                 ; LABEL=aoeroot||rw|||premount",
        "root=/dev/md0 ro rw rd.break=mount                                         ; /dev/md0||rw|||mount"})
    void parsesTheKernelCommandLine(String cmdline, String expected) throws Exception {
        String out = sh("parse_cmdline '" + cmdline + "'; echo \"$root|$rootfstype|$rootmode|$rootflags|$init|$break_at\"");
        assertThat(out).isEqualTo(expected.trim());
    }

    @Test
    void parsesNetworkAndAoeOptions() throws Exception {
        assertThat(sh("parse_cmdline 'ip=dhcp aoe.config=http://10.0.0.1/aoe.conf aoe.aoe_iflist=eth1,eth2 rootdelay=5';"
                + " echo \"$ip|$aoe_config|$aoe_iflist|$rootdelay|$rootwait\""))
                .isEqualTo("dhcp|http://10.0.0.1/aoe.conf|eth1,eth2|5|");
    }

    @ParameterizedTest
    @CsvSource({"/dev/etherd/e0.1, e0.1", "/dev/etherd/e12.34p2, e12.34", "/dev/sda1, ''", "UUID=x, ''"})
    void namesTheAoeDeviceOfARoot(String root, String device) throws Exception {
        assertThat(sh("aoe_device_of '" + root + "'")).isEqualTo(device);
    }

    @Test
    void resolvesInterfacesByNameOrMac() throws Exception {
        String loMac = Files.readString(Path.of("/sys/class/net/lo/address")).trim();
        assertThat(sh("iface_name lo")).isEqualTo("lo");
        assertThat(sh("iface_name " + loMac.toUpperCase())).isEqualTo("lo");
        assertThat(sh("iface_name aoetnosuch0; echo rc=$?")).isEqualTo("rc=1");
        assertThat(sh("ethernet_ifaces")).doesNotContain("lo");
    }

    @Test
    void resolvesDeviceRootsOnlyWhenTheyExist() throws Exception {
        assertThat(sh("resolve_root /dev/aoetnosuch; echo end")).isEqualTo("end");
        Path block = Files.list(Path.of("/sys/class/block")).findFirst().map(p -> Path.of("/dev", p.getFileName().toString()))
                .filter(Files::exists).orElse(null);
        if (block != null) {
            assertThat(sh("resolve_root " + block)).isEqualTo(block.toString());
        }
    }
}
