package dev.aoe.bench;

import java.util.Arrays;

/**
 * {@code ./aoe bench [JMH options] [REGEX]}: runs the JMH benchmarks of this module; with no
 * arguments, all of them. {@code ./aoe bench -h} lists JMH's options, {@code -l} the benchmarks.
 */
public final class BenchMain {

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        String[] rest = args.length > 0 && args[0].equals("bench") ? Arrays.copyOfRange(args, 1, args.length) : args;
        org.openjdk.jmh.Main.main(rest);
    }
}
