package dev.aoe.initiator;

/** An AoE device address, shelf (major) and slot (minor), written {@code e1.2} as aoetools do. */
public record AoeAddress(int shelf, int slot) implements Comparable<AoeAddress> {

    public AoeAddress {
        if (shelf < 0 || shelf > 0xFFFE || slot < 0 || slot > 0xFE) {
            throw new IllegalArgumentException("e" + shelf + "." + slot + " is not a device address"
                    + " (shelf 0-65534, slot 0-254)");
        }
    }

    /** Parses {@code e1.2}, {@code 1.2} or {@code /dev/etherd/e1.2}. */
    public static AoeAddress parse(String text) {
        String t = text.trim();
        if (t.startsWith("/dev/etherd/")) {
            t = t.substring("/dev/etherd/".length());
        }
        if (t.startsWith("e")) {
            t = t.substring(1);
        }
        int dot = t.indexOf('.');
        try {
            if (dot > 0) {
                return new AoeAddress(Integer.parseInt(t.substring(0, dot)), Integer.parseInt(t.substring(dot + 1)));
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("'" + text + "' is not a device address like e1.2");
    }

    @Override
    public int compareTo(AoeAddress o) {
        return shelf != o.shelf ? Integer.compare(shelf, o.shelf) : Integer.compare(slot, o.slot);
    }

    // equals and hashCode written out: a record's generated ones are bootstrapped on first use, which
    // costs every command tens of milliseconds at start (this is the key of the initiator's target table)
    @Override
    public boolean equals(Object o) {
        return o instanceof AoeAddress a && a.shelf == shelf && a.slot == slot;
    }

    @Override
    public int hashCode() {
        return shelf << 8 | slot;
    }

    @Override
    public String toString() {
        return "e" + shelf + "." + slot;
    }
}
