package dev.aoe.cli.decode;

import dev.aoe.ata.AtaCommands;
import dev.aoe.ata.IdentifyData;
import dev.aoe.capture.CaptureFileReader;
import dev.aoe.capture.CapturedFrame;
import dev.aoe.cli.CommandFailure;
import dev.aoe.cli.VersionProvider;
import dev.aoe.ethernet.Ethernet;
import dev.aoe.ethernet.MacAddress;
import dev.aoe.frame.AoeFrame;
import dev.aoe.frame.AtaArg;
import dev.aoe.frame.FrameCodec;
import dev.aoe.frame.MalformedFrameException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code aoe decode FILE}: one line per AoE frame of a capture, every field decoded. */
@Command(name = "decode", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = {"Print every AoE frame of a pcap or pcapng capture, one line each, every field decoded.",
            "That is ATA registers, config strings, MAC mask directives and reserve lists (Wireshark stops at ATA)."})
public final class DecodeCommand implements Callable<Integer> {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

    @Parameters(paramLabel = "FILE", description = "Capture file (tcpdump, tshark, or --pcap of any aoe command).")
    Path file;

    @Spec
    CommandSpec spec;

    /** Opcode of each request seen, by source MAC and tag, so a response's data can be decoded too. */
    private final Map<String, Integer> requests = new HashMap<>();

    @Override
    public Integer call() throws IOException {
        if (!Files.isReadable(file)) {
            throw new CommandFailure("cannot read " + file + (Files.exists(file) ? ": permission denied" : ": no such file"));
        }
        PrintWriter out = spec.commandLine().getOut();
        int total = 0;
        int aoe = 0;
        int malformed = 0;
        try (CaptureFileReader reader = CaptureFileReader.open(file)) {
            for (CapturedFrame captured = reader.next(); captured != null; captured = reader.next()) {
                total++;
                ByteBuf frame = Unpooled.wrappedBuffer(captured.data());
                if (frame.readableBytes() < Ethernet.HEADER_LENGTH
                        || Ethernet.etherType(frame) != Ethernet.ETHERTYPE_AOE) {
                    continue;
                }
                aoe++;
                String prefix = total + " " + TIME.format(captured.timestamp()) + " ";
                try {
                    out.println(prefix + describe(FrameCodec.decode(frame)));
                } catch (MalformedFrameException e) {
                    malformed++;
                    out.println(prefix + MacAddress.read(frame, 6) + " > " + MacAddress.read(frame, 0)
                            + " MALFORMED " + e.getMessage() + " (" + frame.readableBytes() + " bytes)");
                }
            }
        }
        out.flush();
        spec.commandLine().getErr().printf("%d frames, %d AoE, %d malformed%n", total, aoe, malformed);
        return 0;
    }

    private String describe(AoeFrame frame) {
        String line = frame.toString();
        if (!(frame.arg() instanceof AtaArg ata)) {
            return line;
        }
        if (!frame.header().response()) {
            requests.put(frame.source() + "/" + frame.header().tag(), ata.cmdStatus());
            return line + " (" + AtaCommands.name(ata.cmdStatus()) + ")";
        }
        Integer opcode = requests.remove(frame.destination() + "/" + frame.header().tag());
        if (opcode != null && opcode == AtaCommands.IDENTIFY_DEVICE && ata.data().length() >= IdentifyData.LENGTH) {
            return line + " " + IdentifyData.parse(ata.data().toByteArray());
        }
        return opcode == null ? line : line + " (reply to " + AtaCommands.name(opcode) + ")";
    }
}
