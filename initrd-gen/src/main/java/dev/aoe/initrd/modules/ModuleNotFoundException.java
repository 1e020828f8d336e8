package dev.aoe.initrd.modules;

import java.io.IOException;

/** A module name that no file in the tree provides; the message lists the closest names. */
public final class ModuleNotFoundException extends IOException {

    public ModuleNotFoundException(String message) {
        super(message);
    }
}
