package dev.aoe.bench;

import java.util.Arrays;

/**
 * {@code ./aoe bench [JMH options] [REGEX]}: runs the JMH benchmarks of this module; with no
 * arguments, all of them. {@code ./aoe bench suite} runs them all into a results folder ({@link Suite}); {@code ./aoe bench soak} runs the
 * long fault soak ({@link dev.aoe.bench.veth.Soak}). {@code ./aoe bench -h} lists JMH's options, {@code -l} the benchmarks.
 */
public final class BenchMain {

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        String[] rest = args.length > 0 && args[0].equals("bench") ? Arrays.copyOfRange(args, 1, args.length) : args;
        if (rest.length > 0 && rest[0].equals("soak")) {
            dev.aoe.bench.veth.Soak.main(Arrays.copyOfRange(rest, 1, rest.length));
            return;
        }
        if (rest.length > 0 && rest[0].equals("suite")) {
            Suite.main(Arrays.copyOfRange(rest, 1, rest.length));
            return;
        }
        org.openjdk.jmh.Main.main(rest);
    }
}
