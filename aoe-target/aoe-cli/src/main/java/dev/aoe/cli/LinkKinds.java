package dev.aoe.cli;

import dev.aoe.link.spec.LinkKind;
import java.util.Iterator;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --link pcap|afpacket|afpacket-v3}: converter and completion candidates. */
public final class LinkKinds implements ITypeConverter<LinkKind>, Iterable<String> {

    @Override
    public LinkKind convert(String value) {
        try {
            return LinkKind.of(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    @Override
    public Iterator<String> iterator() {
        return List.of(LinkKind.values()).stream().map(LinkKind::toString).iterator();
    }
}
