# aoe-initrd shared functions (POSIX sh, busybox). Sourced by /init and /linuxrc; the tests source it
# on the host too, so nothing here runs at source time.

AOE_CONF=${AOE_CONF:-/etc/aoe-initrd.conf}

log() { echo "aoe-initrd: $*"; }

# parse_cmdline "WORDS": sets root rootfstype rootflags rootmode rootdelay rootwait init break_at ip
# aoe_config aoe_iflist from kernel-style arguments; unknown words are ignored.
parse_cmdline() {
    root=""; rootfstype=""; rootflags=""; rootmode="ro"; rootdelay=0; rootwait=""; init=""
    break_at=""; ip=""; aoe_config=""; aoe_iflist=""
    for arg in $1; do
        case "$arg" in
            root=*) root=${arg#root=} ;;
            rootfstype=*) rootfstype=${arg#rootfstype=} ;;
            rootflags=*) rootflags=${arg#rootflags=} ;;
            ro) rootmode=ro ;;
            rw) rootmode=rw ;;
            rootdelay=*) rootdelay=${arg#rootdelay=} ;;
            rootwait) rootwait=yes ;;
            init=*) init=${arg#init=} ;;
            break) break_at=premount ;;
            break=*|rd.break=*) break_at=${arg#*=} ;;
            rd.break) break_at=premount ;;
            ip=*) ip=${arg#ip=} ;;
            aoe.config=*) aoe_config=${arg#aoe.config=} ;;
            aoe_iflist=*|aoe.aoe_iflist=*) aoe_iflist=${arg#*=} ;;
        esac
    done
}

# The AoE device a root= names, "e0.1" for /dev/etherd/e0.1 or /dev/etherd/e0.1p2; empty otherwise.
aoe_device_of() {
    case "$1" in
        /dev/etherd/e*) d=${1#/dev/etherd/}; echo "${d%%p*}" ;;
        *) echo "" ;;
    esac
}

# resolve_root SPEC: the block device for /dev/..., UUID=..., LABEL=...; empty while it does not exist.
resolve_root() {
    case "$1" in
        UUID=*|LABEL=*) findfs "$1" 2>/dev/null ;;
        /dev/*) [ -b "$1" ] && echo "$1" ;;
        *) echo "" ;;
    esac
}

# The kernel name of an interface given by name or MAC address (ip link's view, via /sys).
iface_name() {
    case "$1" in
        *:*:*:*:*:*)
            want=$(echo "$1" | tr 'A-F' 'a-f')
            for d in /sys/class/net/*; do
                [ "$(cat "$d/address" 2>/dev/null)" = "$want" ] && { echo "${d##*/}"; return 0; }
            done
            return 1 ;;
        *) [ -e "/sys/class/net/$1" ] && echo "$1" ;;
    esac
}

# Every Ethernet interface (type 1) but loopback.
ethernet_ifaces() {
    for d in /sys/class/net/*; do
        if [ "$(cat "$d/type" 2>/dev/null)" = 1 ] && [ "${d##*/}" != lo ]; then
            echo "${d##*/}"
        fi
    done
    return 0
}

# load_modules: insmod every module of the generator's order file except aoe (loaded later with its
# interface list). Loading one twice is harmless: the second insmod fails quietly.
load_modules() {
    while read -r ko; do
        case "$ko" in */aoe.ko) continue ;; esac
        insmod "/lib/modules/$KERNEL_VERSION/$ko" 2>/dev/null
    done < "/lib/modules/$KERNEL_VERSION/aoe-initrd.order"
}

# rescue_shell MESSAGE: say what is wrong and give a shell on the console. It returns when the shell
# exits; callers loop, so leaving the shell retries the step that failed and /init never exits.
rescue_shell() {
    log "$*"
    log "dropping to a shell; exit it to retry"
    if command -v cttyhack >/dev/null 2>&1; then
        setsid cttyhack sh
    else
        sh
    fi
}
