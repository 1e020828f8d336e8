#!/bin/busybox sh
# The golden root's /sbin/init in FleetBootIT. First boot: list /fleet, write this VM's MAC into
# /fleet/<mac>, sync, remount read-only (nothing more to write: the host measures the overlay now) and
# reboot. The boot after (its own file is there): list /fleet with each file's
# contents, remount read-only and power off.
bb=/bin/busybox
$bb mount -t proc proc /proc
$bb mount -t sysfs sysfs /sys
mac=
for a in /sys/class/net/*/address; do
    case "${a#/sys/class/net/}" in lo/*) continue ;; esac
    mac=$($bb cat "$a")
done
name=$(echo "$mac" | $bb tr : -)
list() {
    for f in /fleet/*; do
        [ -f "$f" ] && echo "FLEET-FILE ${f#/fleet/} $($bb cat "$f")"
    done
}
if [ -f "/fleet/$name" ]; then
    echo "FLEET-REBOOTED $mac"
    list
    echo "FLEET-LISTED $mac"
    $bb mount -o remount,ro /
    $bb poweroff -f
else
    list
    $bb mkdir -p /fleet
    echo "$mac" > "/fleet/$name"
    $bb sync
    $bb mount -o remount,ro /
    echo "FLEET-WROTE $mac"
    $bb reboot -f
fi
