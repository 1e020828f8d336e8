#!/bin/sh
# aoe-initrd linuxrc: prepares the devices and nothing else. Loads the modules, brings the links up
# and waits for carrier, loads aoe on them, re-sends discovery every second until every wanted
# device exists or TIMEOUT passes, assembles RAID (degraded after 2/3 of the timeout) and activates
# LVM when asked. Mounting root= and running init= stay the kernel's part (done by /init).
# Exit status 0 when every wanted device is there. Configuration: /etc/aoe-initrd.conf.
. /lib/aoe-initrd/functions.sh
[ -r "$AOE_CONF" ] && . "$AOE_CONF"
# /init adds what the kernel command line implies (root= on AoE, aoe_iflist=) on top of the file
AOE_WAIT="$AOE_WAIT $AOE_WAIT_EXTRA"
WAIT_DEVICES="$WAIT_DEVICES $WAIT_DEVICES_EXTRA"
[ -n "$AOE_IFACES_OVERRIDE" ] && AOE_IFACES=$AOE_IFACES_OVERRIDE
TIMEOUT=${TIMEOUT:-30}
CARRIER_TIMEOUT=${CARRIER_TIMEOUT:-10}

# modules, dependencies first; aoe comes last, with its interface list
load_modules

# interfaces: AOE_IFACES names or MACs, else every Ethernet link; wait for them to appear
i=0
while :; do
    ifaces=""
    if [ -n "$AOE_IFACES" ]; then
        for want in $AOE_IFACES; do
            n=$(iface_name "$want") && [ -n "$n" ] && ifaces="$ifaces $n"
        done
    else
        ifaces=$(ethernet_ifaces)
    fi
    [ -n "$ifaces" ] && { [ -z "$AOE_IFACES" ] || [ "$(echo $ifaces | wc -w)" -ge "$(echo $AOE_IFACES | wc -w)" ]; } && break
    i=$((i + 1))
    [ $i -gt $((CARRIER_TIMEOUT * 10)) ] && { log "no network interface for AoE (wanted: ${AOE_IFACES:-any Ethernet})"; break; }
    sleep 0.1
done
for n in $ifaces; do
    [ -n "$MTU" ] && ip link set "$n" mtu "$MTU"
    ip link set "$n" up
done
# aoe sends its discovery only on links that are up: wait for carrier first
i=0
while [ $i -lt $((CARRIER_TIMEOUT * 10)) ]; do
    up=0
    for n in $ifaces; do [ "$(cat /sys/class/net/$n/carrier 2>/dev/null)" = 1 ] && up=$((up + 1)); done
    [ $up -gt 0 ] && break
    i=$((i + 1)); sleep 0.1
done
iflist=$(echo $ifaces | tr ' ' ',')
insmod "/lib/modules/$KERNEL_VERSION/$(grep '/aoe.ko$' "/lib/modules/$KERNEL_VERSION/aoe-initrd.order")" \
    ${iflist:+aoe_iflist=$iflist} 2>/dev/null
waiting=$(echo $AOE_WAIT $WAIT_DEVICES)
log "AoE on ${iflist:-no interface}; waiting up to ${TIMEOUT}s for ${waiting:-any AoE device}"

# wait: every wanted device, re-sending discovery every second; RAID and LVM inside the same loop
missing() {
    m=""
    for d in $AOE_WAIT; do [ -b "/dev/etherd/$d" ] || m="$m $d"; done
    [ -z "$(echo $AOE_WAIT)" ] && ! ls /dev/etherd/ 2>/dev/null | grep -q '^e[0-9]' && m=" any"
    for d in $WAIT_DEVICES; do
        case "$d" in
            /dev/md*)   # an assembled but not started array has a device node too
                state=$(cat "/sys/block/${d#/dev/}/md/array_state" 2>/dev/null)
                case "$state" in ""|inactive|clear) m="$m $d" ;; esac ;;
            *) [ -b "$d" ] || m="$m $d" ;;
        esac
    done
    echo "$m"
}
degraded_at=$((TIMEOUT * 2 / 3))
s=0
while :; do
    if [ "$MDADM" = yes ]; then
        mdadm --assemble --scan >>/run/aoe-initrd.log 2>&1
        if [ $s -ge $degraded_at ]; then   # start what is there, degraded (as Debian's mdadm hook does)
            for md in /dev/md?*; do [ -b "$md" ] && mdadm --run "$md" >>/run/aoe-initrd.log 2>&1; done
            mdadm --assemble --scan --run >>/run/aoe-initrd.log 2>&1
        fi
    fi
    [ "$LVM" = yes ] && lvm vgchange -ay --sysinit >>/run/aoe-initrd.log 2>&1
    left=$(missing)
    [ -z "$left" ] && exit 0
    [ $s -ge "$TIMEOUT" ] && { log "still missing after ${TIMEOUT}s:$left (see /run/aoe-initrd.log)"; exit 1; }
    [ -w /dev/etherd/discover ] && echo > /dev/etherd/discover
    sleep 1
    s=$((s + 1))
done
