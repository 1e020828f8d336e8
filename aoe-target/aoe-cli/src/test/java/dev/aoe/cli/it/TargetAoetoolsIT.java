package dev.aoe.cli.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aoe.ata.IdentifyData;
import dev.aoe.testing.NetworkNamespace;
import dev.aoe.testing.Prerequisites;
import dev.aoe.testing.Processes;
import dev.aoe.testing.TargetProcess;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** aoetools' aoecfg and aoeping, real raw-socket peers, against ./aoe target across a veth pair. */
class TargetAoetoolsIT {

    @TempDir
    Path dir;

    @Test
    void aoecfgAndAoepingWorkAgainstTheTarget() throws Exception {
        Prerequisites.requireRoot();
        Prerequisites.requireLibpcap();
        String aoecfg = Prerequisites.requireCommand("aoecfg", "aoetools").toString();
        String aoeping = Prerequisites.requireCommand("aoeping", "aoetools").toString();
        try (NetworkNamespace ns = NetworkNamespace.create(1500);
             TargetProcess target = TargetProcess.start(ns, 1, "--size", "64M", "3", "4", ns.inside(),
                     dir.resolve("disk.img").toString())) {
            String out = ns.outside();
            assertThat(Processes.check(aoecfg, "-c", "read", "-t", "2", "3", "4", out)).isEqualTo("\n");
            assertThat(Processes.check(aoecfg, "-c", "set", "-s", "owner=ci", "-t", "2", "3", "4", out)).isEqualTo("owner=ci\n");
            assertThat(Processes.check(aoecfg, "-c", "read", "-t", "2", out)).as("broadcast read")
                    .isEqualTo("3.4\towner=ci\n");
            assertThat(Processes.check(aoecfg, "-c", "test", "-s", "owner=ci", "-t", "2", "3", "4", out)).isEqualTo("owner=ci\n");
            assertThat(Processes.check(aoecfg, "-c", "test", "-s", "owner=c", "-t", "1", "3", "4", out)).as("no reply").isEmpty();
            assertThat(Processes.check(aoecfg, "-c", "prefix", "-s", "owner=c", "-t", "2", "3", "4", out)).isEqualTo("owner=ci\n");
            assertThat(Processes.check(aoecfg, "-c", "prefix", "-s", "owner=x", "-t", "1", "3", "4", out)).isEmpty();
            assertThat(Processes.check(aoecfg, "-c", "set", "-s", "other", "-t", "2", "3", "4", out)).isEqualTo("*badcfg*\n");
            assertThat(Processes.check(aoecfg, "-c", "fset", "-s", "other", "-t", "2", "3", "4", out)).isEqualTo("other\n");

            String fields = Processes.check(aoeping, "-I", "-s", "3", "3", "4", out);
            assertThat(fields).contains("serial_number: 3.4:", "model: AoE Java target", "firmware_rev: V100");
            String dump = Processes.check(aoeping, "-i", "-s", "3", "3", "4", out);
            String hex = dump.lines().skip(1).collect(java.util.stream.Collectors.joining()).replace(" ", "");
            IdentifyData identify = IdentifyData.parse(com.google.common.io.BaseEncoding.base16().lowerCase().decode(hex));
            assertThat(identify.capacitySectors()).isEqualTo(131072);
            assertThat(identify.lba48()).isTrue();
            assertThat(identify.flushCache()).isTrue();
            assertThat(identify.flushCacheExt()).isTrue();
            assertThat(target.stop()).isZero();
            assertThat(target.output()).as("statistics on exit").anyMatch(l -> l.contains("e3.4 ") && l.contains("config=") && l.contains("aoe_errors=1"));
        }
    }
}
