package dev.mlapp.loadtest;

/** Just enough of the Prometheus text format to sum one metric's samples across its label sets. */
final class PrometheusText {

    private PrometheusText() {
    }

    /** Σ of the values of every sample of {@code metric}; −1 when it does not occur. */
    static double sum(String exposition, String metric) {
        double total = 0;
        boolean found = false;
        for (String line : exposition.split("\n")) {
            if (line.startsWith("#") || !line.startsWith(metric)) {
                continue;
            }
            int nameEnd = metric.length();
            if (line.length() == nameEnd || (line.charAt(nameEnd) != '{' && line.charAt(nameEnd) != ' ')) {
                continue; // a longer name with the same prefix
            }
            int valueStart = line.charAt(nameEnd) == '{' ? line.lastIndexOf('}') + 1 : nameEnd;
            String[] rest = line.substring(valueStart).trim().split("\\s+");
            try {
                total += Double.parseDouble(rest[0]);
                found = true;
            } catch (NumberFormatException ignored) {
                // NaN spelled differently or a malformed line: skip it
            }
        }
        return found ? total : -1;
    }
}
