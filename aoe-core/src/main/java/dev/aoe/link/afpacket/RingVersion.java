package dev.aoe.link.afpacket;

/**
 * The layout of the receive ring. {@link #V2} hands over each frame as it lands, so a lone request is
 * answered at once; {@link #V3} hands over whole blocks, when a block fills or its retire timer
 * (at least one jiffy: 4 ms at HZ=250) fires, which suits capture better than request and response.
 */
public enum RingVersion { V2, V3 }
