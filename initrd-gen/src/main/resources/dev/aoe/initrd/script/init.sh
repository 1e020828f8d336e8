#!/bin/sh
# aoe-initrd /init: the kernel's part of a classic initrd boot, for kernels that only run an
# initramfs /init. Mounts /proc, /sys and devtmpfs, runs /linuxrc to prepare the devices, then does
# what the kernel would: root= (/dev/..., UUID=, LABEL=), rootfstype=, rootflags=, ro/rw, rootdelay=,
# rootwait, init= (else /sbin/init, /etc/init, /bin/init, /bin/sh), exec switch_root. It never
# exits: on failure, or at break=, it says what is missing and gives a shell.
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
. /lib/aoe-initrd/functions.sh
[ -r "$AOE_CONF" ] && . "$AOE_CONF"
parse_cmdline "$(cat /proc/cmdline)"
[ -n "$aoe_iflist" ] && AOE_IFACES_OVERRIDE=$(echo "$aoe_iflist" | tr ',' ' ')
[ "$break_at" = top ] && rescue_shell "break=top"

# optional network config: ip=dhcp, then aoe.config=URL replaces the built-in configuration
if [ "$ip" = dhcp ] || [ -n "$aoe_config" ]; then
    load_modules   # the NIC drivers, before linuxrc would load them
    i=0
    while [ -z "$(ethernet_ifaces)" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    for n in $(ethernet_ifaces); do ip link set "$n" up; done
    for n in $(ethernet_ifaces); do
        udhcpc -q -n -t 5 -i "$n" -s /usr/share/udhcpc/default.script >/dev/null 2>&1 && break
    done
    if [ -n "$aoe_config" ]; then
        if wget -q -O /tmp/aoe-initrd.conf "$aoe_config"; then
            # appended, so what it sets wins and what it leaves (KERNEL_VERSION) stays
            { echo "# from $aoe_config"; cat /tmp/aoe-initrd.conf; } >> "$AOE_CONF"
            . "$AOE_CONF"
            log "configuration from $aoe_config"
        else
            log "cannot fetch $aoe_config; using the built-in configuration"
        fi
    fi
fi

# a root on AoE needs no further configuration: wait for its device too
AOE_WAIT_EXTRA=$(aoe_device_of "$root")
case "$root" in /dev/md*|/dev/mapper/*) WAIT_DEVICES_EXTRA=$root ;; esac
export AOE_WAIT_EXTRA WAIT_DEVICES_EXTRA AOE_IFACES_OVERRIDE
[ "$break_at" = modules ] && rescue_shell "break=modules"
/linuxrc || log "linuxrc reported missing devices"
[ "$break_at" = premount ] && rescue_shell "break=premount"

[ -n "$rootdelay" ] && [ "$rootdelay" -gt 0 ] 2>/dev/null && sleep "$rootdelay"
if [ -z "$root" ]; then
    rescue_shell "no root= on the kernel command line"
fi
dev=$(resolve_root "$root")
while [ -z "$dev" ] && [ "$rootwait" = yes ]; do
    sleep 1
    [ -w /dev/etherd/discover ] && echo > /dev/etherd/discover
    dev=$(resolve_root "$root")
done
while [ -z "$dev" ]; do
    rescue_shell "root device $root not found (AoE devices: $(ls /dev/etherd 2>/dev/null | grep '^e[0-9]' | tr '\n' ' '))"
    dev=$(resolve_root "$root")
done

mkdir -p /newroot
while ! mount ${rootfstype:+-t "$rootfstype"} -o "$rootmode${rootflags:+,$rootflags}" "$dev" /newroot; do
    rescue_shell "cannot mount $dev (root=$root${rootfstype:+ rootfstype=$rootfstype})"
done
[ "$break_at" = mount ] || [ "$break_at" = bottom ] && rescue_shell "break=$break_at (root is on /newroot)"

if [ -z "$init" ]; then
    for candidate in /sbin/init /etc/init /bin/init /bin/sh; do
        [ -x "/newroot$candidate" ] || [ -L "/newroot$candidate" ] && { init=$candidate; break; }
    done
fi
while [ -z "$init" ] || { [ ! -x "/newroot$init" ] && [ ! -L "/newroot$init" ]; }; do
    rescue_shell "no init to run on $root (init=${init:-none of /sbin/init /etc/init /bin/init /bin/sh})"
done
log "switching to $root ($dev), running $init"
umount /proc /sys 2>/dev/null
mount --move /dev /newroot/dev
exec switch_root /newroot "$init" "$@"
rescue_shell "switch_root failed"
