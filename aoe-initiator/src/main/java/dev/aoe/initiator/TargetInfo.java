package dev.aoe.initiator;

import dev.aoe.ethernet.MacAddress;
import dev.aoe.frame.Octets;
import java.time.Instant;
import java.util.List;

/**
 * A target as discovery found it: its address, every path to it (a local interface and the MAC that
 * answered on it), and what its config response says.
 */
public record TargetInfo(AoeAddress address, List<PathInfo> paths, int bufferCount, int firmwareVersion,
                         int sectorsPerFrame, Octets config, Instant lastSeen) {

    /** One way to reach a target: our interface and the target's MAC seen on it. */
    public record PathInfo(String localInterface, MacAddress targetMac) {
        // written out, as AoeAddress's are: the generated ones cost each command's start tens of milliseconds
        @Override
        public boolean equals(Object o) {
            return o instanceof PathInfo p && p.localInterface.equals(localInterface) && p.targetMac.equals(targetMac);
        }

        @Override
        public int hashCode() {
            return 31 * localInterface.hashCode() + targetMac.hashCode();
        }

        @Override
        public String toString() {
            return localInterface + "->" + targetMac;
        }
    }

    public List<String> localInterfaces() {
        return paths.stream().map(PathInfo::localInterface).distinct().toList();
    }
}
