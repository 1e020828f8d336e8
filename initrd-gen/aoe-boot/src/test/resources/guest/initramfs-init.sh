#!/bin/busybox sh
# Hand-built initramfs /init for the boot tests: load the modules, bring eth0 up (MTU from
# aoetest.mtu=), load aoe, wait for /dev/etherd/e0.1, mount it as root and switch to it.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mtu=1500
for a in $(cat /proc/cmdline); do case "$a" in aoetest.mtu=*) mtu=${a#aoetest.mtu=};; esac; done
for m in /lib/modules/*.ko; do insmod "$m" 2>/dev/null; done
i=0; while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
ip link set eth0 mtu "$mtu" up
insmod /lib/modules/aoe.ko aoe_iflist=eth0 2>/dev/null
i=0
while [ ! -b /dev/etherd/e0.1 ]; do
  i=$((i+1)); [ $i -gt 60 ] && { echo "AOE-ROOT-FAIL no /dev/etherd/e0.1"; poweroff -f; }
  echo > /dev/etherd/discover; sleep 0.5
done
mount -t ext4 -o rw /dev/etherd/e0.1 /newroot || { echo "AOE-ROOT-FAIL mount"; poweroff -f; }
umount /proc /sys
mount --move /dev /newroot/dev
exec switch_root /newroot /sbin/init
