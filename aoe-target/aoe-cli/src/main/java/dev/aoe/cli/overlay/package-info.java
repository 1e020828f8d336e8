/**
 * {@code aoe overlay}: list, reset, commit and diff the per-client overlays an export keeps in a
 * directory. The verbs work on the files (through {@link dev.aoe.target.overlay.OverlayDirectory}),
 * never through a running target; the target is wired to overlays in {@code dev.aoe.cli.target}.
 */
package dev.aoe.cli.overlay;
