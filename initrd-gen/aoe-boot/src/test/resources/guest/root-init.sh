#!/bin/busybox sh
# The AoE root's /sbin/init in the boot tests: print the checksum of /data.bin, write a file,
# sync, remount read-only and power off.
export PATH=/bin
/bin/busybox mount -t proc proc /proc
echo "AOE-MARKER sha256=$(/bin/busybox sha256sum /data.bin | /bin/busybox cut -d' ' -f1)"
echo "written by the guest" > /written.txt
/bin/busybox sync
/bin/busybox mount -o remount,ro /
echo "AOE-MARKER-DONE"
/bin/busybox poweroff -f
