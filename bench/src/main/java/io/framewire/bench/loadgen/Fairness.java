package io.framewire.bench.loadgen;

/** Jain's fairness index over per-stream counts: 1 = perfectly even, 1/n = one stream gets everything. */
final class Fairness {
    private Fairness() {
    }

    /** J = (Σx)² / (n·Σx²); NaN when there is nothing to compare (no streams or all zero). */
    static double jain(long[] x) {
        if (x.length == 0) {
            return Double.NaN;
        }
        double sum = 0;
        double sumSq = 0;
        for (long v : x) {
            sum += v;
            sumSq += (double) v * v;
        }
        return sumSq == 0 ? Double.NaN : (sum * sum) / (x.length * sumSq);
    }
}
