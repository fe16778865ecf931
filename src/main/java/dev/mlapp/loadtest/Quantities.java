package dev.mlapp.loadtest;

import java.math.BigDecimal;

/**
 * Kubernetes resource quantities ({@code 250m}, {@code 1}, {@code 12345678n} CPU; {@code 512Mi}, {@code 1G},
 * {@code 129e6} memory) as plain numbers, following the suffixes of k8s.io/apimachinery's resource.Quantity.
 */
final class Quantities {

    private Quantities() {
    }

    /** CPU in millicores. */
    static double millicores(String quantity) {
        return parse(quantity).doubleValue() * 1000;
    }

    /** Memory in bytes. */
    static long bytes(String quantity) {
        return parse(quantity).longValue();
    }

    static BigDecimal parse(String quantity) {
        String q = quantity.trim();
        String[][] suffixes = {
            {"Ki", "1024"}, {"Mi", "1048576"}, {"Gi", "1073741824"}, {"Ti", "1099511627776"},
            {"Pi", "1125899906842624"}, {"Ei", "1152921504606846976"},
            {"n", "1e-9"}, {"u", "1e-6"}, {"m", "1e-3"}, {"k", "1e3"}, {"M", "1e6"}, {"G", "1e9"},
            {"T", "1e12"}, {"P", "1e15"}, {"E", "1e18"}};
        for (String[] suffix : suffixes) {
            if (q.endsWith(suffix[0])) {
                return new BigDecimal(q.substring(0, q.length() - suffix[0].length()))
                        .multiply(new BigDecimal(suffix[1]));
            }
        }
        return new BigDecimal(q); // plain number or decimal exponent, e.g. 129e6
    }

    static String formatMillicores(double millicores) {
        return millicores < 0 ? "-" : Math.round(millicores) + "m";
    }

    static String formatBytes(long bytes) {
        if (bytes < 0) {
            return "-";
        }
        return bytes >= 1L << 30 ? String.format(java.util.Locale.ROOT, "%.1fGi", bytes / (double) (1L << 30))
                : Math.round(bytes / (double) (1L << 20)) + "Mi";
    }
}
