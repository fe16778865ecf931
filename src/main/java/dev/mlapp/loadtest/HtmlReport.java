package dev.mlapp.loadtest;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A single self-contained HTML page (inline CSS and SVG, no script, nothing fetched) with the summary, a bar
 * chart of each pod's share against the even share, and latency and throughput over time. A student opens it
 * straight from disk.
 */
public final class HtmlReport {

    private static final int WIDTH = 720;
    private static final int BAR_HEIGHT = 26;
    private static final int CHART_HEIGHT = 220;
    private static final int LEFT = 150;
    private static final int PLOT_LEFT = 60;

    private HtmlReport() {
    }

    public static String render(LoadPlan plan, LoadSummary s) {
        StringBuilder html = new StringBuilder("""
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><title>ml-app load test</title>
                <style>
                body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:60em}
                table{border-collapse:collapse}td,th{padding:.2em .8em;text-align:left;border-bottom:1px solid #ddd}
                td.n{text-align:right;font-variant-numeric:tabular-nums}
                svg text{font-size:12px;font-family:system-ui,sans-serif}
                pre{background:#f6f6f6;padding:1em;overflow:auto}
                </style></head><body>
                <h1>Load test report</h1>
                """);
        html.append("<pre>").append(escape(TextReport.render(plan, s))).append("</pre>\n");
        html.append("<h2>Share of requests per pod</h2>\n");
        html.append(s.pods().isEmpty() ? "<p>No response carried an X-Pod-Name header.</p>\n" : shareChart(s));
        html.append("<h2>Latency over time</h2>\n");
        html.append("<p>Per second of the test: median (blue) and 99th percentile (red) latency of successful "
                + "requests, in milliseconds.</p>\n");
        html.append(lineChart(s.timeline(), true));
        html.append("<h2>Requests per second</h2>\n");
        html.append("<p>Completed requests (grey) and failures (red) per second.</p>\n");
        html.append(lineChart(s.timeline(), false));
        html.append("</body></html>\n");
        return html.toString();
    }

    private static String shareChart(LoadSummary s) {
        int rows = s.pods().size();
        int height = rows * (BAR_HEIGHT + 6) + 30;
        double maxShare = 0;
        for (String pod : s.pods().keySet()) {
            maxShare = Math.max(maxShare, s.share(pod));
        }
        double even = 1.0 / rows;
        double scale = Math.max(maxShare, even) * 1.3; // room for the labels right of the bars
        int plotWidth = WIDTH - LEFT - 20;
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\" "
                        + "aria-label=\"share of requests per pod\">%n", WIDTH, height));
        int y = 10;
        for (Map.Entry<String, Long> pod : s.pods().entrySet()) {
            double share = s.share(pod.getKey());
            double w = plotWidth * share / scale;
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
                    LEFT - 8, y + BAR_HEIGHT / 2 + 4, escape(pod.getKey())));
            svg.append(String.format(Locale.ROOT,
                    "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#4a7fb5\"/>%n", LEFT, y, w, BAR_HEIGHT));
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%.1f%% (%d)</text>%n",
                    LEFT + w + 4, y + BAR_HEIGHT / 2 + 4, share * 100, pod.getValue()));
            y += BAR_HEIGHT + 6;
        }
        double evenX = LEFT + plotWidth * even / scale;
        svg.append(String.format(Locale.ROOT,
                "<line x1=\"%.1f\" y1=\"4\" x2=\"%.1f\" y2=\"%d\" stroke=\"#c33\" stroke-dasharray=\"4 3\"/>%n",
                evenX, evenX, y));
        svg.append(String.format(Locale.ROOT,
                "<text x=\"%.1f\" y=\"%d\" fill=\"#c33\" text-anchor=\"end\">even share %.1f%%</text>%n",
                evenX - 4, y + 14, even * 100));
        return svg.append("</svg>\n").toString();
    }

    private static String lineChart(List<LoadSummary.Second> timeline, boolean latency) {
        if (timeline.isEmpty()) {
            return "<p>No requests completed.</p>\n";
        }
        double maxY = 0;
        for (LoadSummary.Second second : timeline) {
            maxY = Math.max(maxY, latency ? second.p99() : second.requests());
        }
        maxY = maxY <= 0 ? 1 : maxY * 1.1;
        int lastSecond = timeline.get(timeline.size() - 1).second();
        int plotWidth = WIDTH - PLOT_LEFT - 20;
        int plotHeight = CHART_HEIGHT - 40;
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\">%n",
                WIDTH, CHART_HEIGHT));
        svg.append(String.format(Locale.ROOT,
                "<line x1=\"%d\" y1=\"10\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>"
                        + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>%n",
                PLOT_LEFT, PLOT_LEFT, 10 + plotHeight, PLOT_LEFT, 10 + plotHeight, PLOT_LEFT + plotWidth,
                10 + plotHeight));
        for (int tick = 0; tick <= 4; tick++) {
            double value = maxY * tick / 4;
            int ty = 10 + plotHeight - plotHeight * tick / 4;
            svg.append(String.format(Locale.ROOT,
                    "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>"
                            + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#eee\"/>%n",
                    PLOT_LEFT - 4, ty + 4, TextReport.fmt(value), PLOT_LEFT + 1, ty, PLOT_LEFT + plotWidth, ty));
        }
        svg.append(String.format(Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">seconds since start: %d</text>%n",
                PLOT_LEFT + plotWidth, CHART_HEIGHT - 8, lastSecond + 1));
        if (latency) {
            svg.append(polyline(timeline, lastSecond, plotWidth, plotHeight, maxY, 0, "#4a7fb5"));
            svg.append(polyline(timeline, lastSecond, plotWidth, plotHeight, maxY, 1, "#c33"));
        } else {
            svg.append(polyline(timeline, lastSecond, plotWidth, plotHeight, maxY, 2, "#666"));
            svg.append(polyline(timeline, lastSecond, plotWidth, plotHeight, maxY, 3, "#c33"));
        }
        return svg.append("</svg>\n").toString();
    }

    private static String polyline(List<LoadSummary.Second> timeline, int lastSecond, int plotWidth, int plotHeight,
                                   double maxY, int series, String colour) {
        StringBuilder points = new StringBuilder();
        for (LoadSummary.Second second : timeline) {
            double value = switch (series) {
                case 0 -> second.p50();
                case 1 -> second.p99();
                case 2 -> second.requests();
                default -> second.failures();
            };
            double x = PLOT_LEFT + (lastSecond == 0 ? plotWidth / 2.0 : plotWidth * second.second() / (double) lastSecond);
            double y = 10 + plotHeight - plotHeight * value / maxY;
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
        }
        return String.format(Locale.ROOT,
                "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n", colour,
                points.toString().trim());
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
