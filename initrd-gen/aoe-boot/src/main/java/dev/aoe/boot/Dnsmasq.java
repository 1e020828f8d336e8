package dev.aoe.boot;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Debian's dnsmasq as the DHCP (and, for PXE, TFTP) server on a boot's tap, its configuration
 * written per run into the work directory; nothing else on the host is served. It runs in the
 * foreground, logging to our pipe, and is stopped with SIGTERM.
 *
 * <p>iPXE waits for every configurator, IPv6 included, and for ProxyDHCP offers: router advertisements
 * ({@code enable-ra}) and the iPXE option 175.176 ("no ProxyDHCP") make its DHCP take well under a
 * second instead of about 20 s, and {@code no-ping} saves dnsmasq's own 3 s address probe.
 */
final class Dnsmasq implements AutoCloseable {

    /** An address range from a TEST-NET block: the tap is .1, leases .100-.150, and an IPv6 /64 for RAs. */
    record Subnet(String ipv4Prefix, String ipv6Prefix) {
        String host() {
            return ipv4Prefix + ".1";
        }
    }

    private static final List<String> TEST_NETS = List.of("192.0.2", "198.51.100", "203.0.113");

    private final Process process;
    private final Thread reader;

    private Dnsmasq(Process process, Thread reader) {
        this.process = process;
        this.reader = reader;
    }

    /** The first TEST-NET /24 no address or route of this host uses (so two boots do not collide). */
    static synchronized Subnet freeSubnet() {
        List<String> used = new ArrayList<>(HostCommand.run("ip", "-4", "route", "show").lines()
                .map(l -> l.split("[ /]")[0]).toList());
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    used.add(a.getHostAddress());
                }
            }
        } catch (SocketException e) {
            // nothing known in use
        }
        for (int i = 0; i < TEST_NETS.size(); i++) {
            String net = TEST_NETS.get(i);
            if (used.stream().noneMatch(a -> a.startsWith(net + "."))) {
                return new Subnet(net, "2001:db8:a0e:" + (i + 1));
            }
        }
        throw new BootException(BootException.Reason.ENVIRONMENT, "all three TEST-NET ranges are in use on this host"
                + " (by other boots?); a DHCP server needs one");
    }

    /**
     * The configuration: DHCP on {@code tap} only; with {@code tftpRoot}, TFTP from it and iPXE clients
     * booting {@code boot.ipxe}; with {@code rootPath}, the root-path option (aoe:e0.1) iPXE sanboots.
     */
    static String config(String tap, Subnet net, Path workDir, Path tftpRoot, String rootPath) {
        List<String> c = new ArrayList<>(List.of(
                "# written by aoe boot for one run; removed with the run's work directory",
                "port=0",
                "interface=" + tap,
                "bind-interfaces",
                "except-interface=lo",
                "no-resolv",
                "no-hosts",
                "no-ping",
                "pid-file=",
                "log-facility=-",
                "log-dhcp",
                "dhcp-leasefile=" + workDir.resolve("dnsmasq.leases"),
                "dhcp-range=" + net.ipv4Prefix() + ".100," + net.ipv4Prefix() + ".150,255.255.255.0,1h",
                "enable-ra",
                "dhcp-range=::,constructor:" + tap + ",ra-only,64,1h",
                "dhcp-match=set:ipxe,175",
                "dhcp-option=tag:ipxe,encap:175,176,1"));
        if (tftpRoot != null) {
            c.add("enable-tftp");
            c.add("tftp-root=" + tftpRoot);
            c.add("dhcp-boot=tag:ipxe,boot.ipxe");
        }
        if (rootPath != null) {
            c.add("dhcp-option=option:root-path," + rootPath);
        }
        return String.join("\n", c) + "\n";
    }

    /**
     * Starts dnsmasq and waits until it is ready: its last start-up line is the TFTP root's, or without
     * TFTP the bound sockets'. Its log lines go to {@code log} and to dnsmasq.log in the work directory.
     */
    static Dnsmasq start(String tap, Subnet net, Path workDir, Path tftpRoot, String rootPath, Consumer<String> log) {
        Path dnsmasq = HostCommand.require("dnsmasq", "dnsmasq-base");
        Path conf = workDir.resolve("dnsmasq.conf");
        Process process;
        Writer logFile;
        try {
            Files.writeString(conf, config(tap, net, workDir, tftpRoot, rootPath));
            logFile = Files.newBufferedWriter(workDir.resolve("dnsmasq.log"));
            process = new ProcessBuilder(dnsmasq.toString(), "--keep-in-foreground", "--conf-file=" + conf)
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new BootException(BootException.Reason.ENVIRONMENT, "cannot start dnsmasq: " + e.getMessage(), e);
        }
        CountDownLatch bound = new CountDownLatch(1);
        List<String> early = Collections.synchronizedList(new ArrayList<>());
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8)); logFile) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    logFile.write(line + "\n");
                    logFile.flush();
                    if (bound.getCount() > 0) {
                        early.add(line);
                    }
                    if (line.contains(tftpRoot != null ? "TFTP root is" : "sockets bound exclusively")) {
                        bound.countDown();
                    }
                    log.accept(line);
                }
            } catch (IOException e) {
                // dnsmasq ended
            }
            bound.countDown();
        }, "dnsmasq-log");
        reader.setDaemon(true);
        reader.start();
        Dnsmasq d = new Dnsmasq(process, reader);
        try {
            if (!bound.await(10, TimeUnit.SECONDS) || !process.isAlive()) {
                d.close();
                String why = early.stream().filter(l -> !l.contains("FAILED to start up")).reduce((a, b) -> b)
                        .map(l -> l.replaceFirst("^dnsmasq[^:]*: ", "")).orElse("no output");
                throw new BootException(BootException.Reason.ENVIRONMENT, "dnsmasq did not start on " + tap + ": " + why);
            }
        } catch (InterruptedException e) {
            d.close();
            Thread.currentThread().interrupt();
            throw new BootException(BootException.Reason.ENVIRONMENT, "interrupted while dnsmasq started", e);
        }
        return d;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        process.toHandle().destroy();   // SIGTERM
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            reader.join(2000);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
