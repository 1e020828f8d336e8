package dev.aoe.frame;

import java.util.Optional;

/**
 * A named value of a one-byte protocol field. Records keep the raw number, so codes this enum
 * does not name (AoE errors 7-255, vendor commands, future subcommands) still round-trip.
 */
public interface WireCode {

    int code();

    static <E extends Enum<E> & WireCode> Optional<E> lookup(Class<E> type, int code) {
        for (E e : type.getEnumConstants()) {
            if (e.code() == code) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /** {@code NAME} for a known code, {@code unknown(N)} otherwise: what {@code aoe decode} prints. */
    static <E extends Enum<E> & WireCode> String describe(Class<E> type, int code) {
        return lookup(type, code).map(Enum::name).orElse("unknown(" + code + ")");
    }
}
