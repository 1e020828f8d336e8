/**
 * Per-client copy-on-write overlays over one read-only base image: {@link dev.aoe.target.overlay.OverlayStore}
 * gives each client (a MAC, or a group of MACs) its own view of an export, kept in an
 * {@link dev.aoe.target.overlay.OverlayDirectory} or in memory. The base is never written. Only this
 * package knows the overlay file formats; the target sees a {@link dev.aoe.target.store.ClientStores}.
 */
package dev.aoe.target.overlay;
