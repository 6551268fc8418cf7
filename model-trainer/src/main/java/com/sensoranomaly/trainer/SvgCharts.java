package com.sensoranomaly.trainer;

import java.util.List;
import java.util.Locale;

/**
 * Minimal self-contained SVG charts for reports: lines, a histogram with a marker, bars.
 *
 * <p>Inline SVG keeps every report one file that opens offline, in any browser, without scripts or a charting
 * library; the charts are small enough (a few hundred points) that hand-written paths are fine.
 */
public final class SvgCharts {
    private static final int W = 640;
    private static final int H = 260;
    private static final int PAD = 44;
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd"};

    private SvgCharts() {}

    /** A series of a line chart: x and y values, NaN y values leave gaps. */
    public record Series(String name, double[] x, double[] y) {}

    /** Shaded x ranges drawn behind a line chart (e.g. labelled anomalies, alert episodes). */
    public record Band(double from, double to, String color, double yFrom, double yTo) {}

    public static String lines(String title, String xLabel, String yLabel, List<Series> series, List<Band> bands, boolean logY) {
        double xmin = Double.POSITIVE_INFINITY, xmax = Double.NEGATIVE_INFINITY, ymin = Double.POSITIVE_INFINITY, ymax = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                double y = ty(s.y()[i], logY);
                if (Double.isNaN(y) || Double.isInfinite(y)) {
                    continue;
                }
                xmin = Math.min(xmin, s.x()[i]);
                xmax = Math.max(xmax, s.x()[i]);
                ymin = Math.min(ymin, y);
                ymax = Math.max(ymax, y);
            }
        }
        if (xmin > xmax) {
            return "<p>(no data for " + esc(title) + ")</p>";
        }
        if (ymin == ymax) {
            ymax = ymin + 1;
        }
        if (xmin == xmax) {
            xmax = xmin + 1;
        }
        StringBuilder sb = header(title);
        for (Band b : bands) {
            double x0 = px(b.from(), xmin, xmax), x1 = px(b.to(), xmin, xmax);
            double y0 = PAD + (H - 2 * PAD) * (1 - b.yTo()), y1 = PAD + (H - 2 * PAD) * (1 - b.yFrom());
            sb.append(String.format(Locale.ROOT, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='%s' opacity='0.35'/>",
                    x0, y0, Math.max(1, x1 - x0), y1 - y0, b.color()));
        }
        for (int k = 0; k < series.size(); k++) {
            Series s = series.get(k);
            StringBuilder path = new StringBuilder();
            boolean pen = false;
            for (int i = 0; i < s.x().length; i++) {
                double y = ty(s.y()[i], logY);
                if (Double.isNaN(y) || Double.isInfinite(y)) {
                    pen = false;
                    continue;
                }
                path.append(pen ? " L" : " M").append(String.format(Locale.ROOT, "%.1f %.1f", px(s.x()[i], xmin, xmax), py(y, ymin, ymax)));
                pen = true;
            }
            sb.append("<path fill='none' stroke-width='1.3' stroke='").append(COLORS[k % COLORS.length]).append("' d='")
                    .append(path).append("'/>");
            sb.append(String.format(Locale.ROOT, "<text x='%d' y='%d' font-size='11' fill='%s'>%s</text>",
                    W - PAD - 150, PAD + 14 * (k + 1), COLORS[k % COLORS.length], esc(s.name())));
        }
        axes(sb, xLabel, yLabel + (logY ? " (log scale)" : ""), xmin, xmax, logY ? Math.pow(10, ymin) : ymin,
                logY ? Math.pow(10, ymax) : ymax, true);
        return sb.append("</svg>").toString();
    }

    public static String histogram(String title, double[] values, int bins, double marker, String markerLabel) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        hi = Math.max(hi, marker);
        if (!(hi > lo)) {
            hi = lo + 1;
        }
        int[] counts = new int[bins];
        for (double v : values) {
            counts[Math.min(bins - 1, (int) ((v - lo) / (hi - lo) * bins))]++;
        }
        int max = 1;
        for (int c : counts) {
            max = Math.max(max, c);
        }
        StringBuilder sb = header(title);
        double bw = (W - 2.0 * PAD) / bins;
        for (int i = 0; i < bins; i++) {
            double h = (H - 2.0 * PAD) * counts[i] / max;
            sb.append(String.format(Locale.ROOT, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='#1f77b4'/>",
                    PAD + i * bw, H - PAD - h, Math.max(1, bw - 1), h));
        }
        double mx = px(marker, lo, hi);
        sb.append(String.format(Locale.ROOT, "<line x1='%.1f' x2='%.1f' y1='%d' y2='%d' stroke='#d62728' stroke-width='2'/>", mx, mx, PAD, H - PAD));
        sb.append(String.format(Locale.ROOT, "<text x='%.1f' y='%d' font-size='11' fill='#d62728'>%s</text>", mx + 4, PAD + 12, esc(markerLabel)));
        axes(sb, "score", "count", lo, hi, 0, max, true);
        return sb.append("</svg>").toString();
    }

    public static String bars(String title, List<String> names, double[] values) {
        return bars(title, "mean error", names, values);
    }

    public static String bars(String title, String yLabel, List<String> names, double[] values) {
        double max = 1e-12;
        for (double v : values) {
            max = Math.max(max, v);
        }
        StringBuilder sb = header(title);
        double bw = (W - 2.0 * PAD) / Math.max(1, names.size());
        // About 6 px per character at font size 10: shorten names to their bar's width so neighbours stay legible.
        int maxChars = Math.max(3, (int) (bw / 6));
        for (int i = 0; i < names.size(); i++) {
            double h = (H - 2.0 * PAD) * values[i] / max;
            sb.append(String.format(Locale.ROOT, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='#2ca02c'/>",
                    PAD + i * bw + 2, H - PAD - h, Math.max(1, bw - 4), h));
            String name = names.get(i);
            String shown = name.length() > maxChars ? name.substring(0, maxChars - 1) + "\u2026" : name;
            sb.append(String.format(Locale.ROOT, "<text x='%.1f' y='%d' font-size='10' text-anchor='middle'><title>%s</title>%s</text>",
                    PAD + (i + 0.5) * bw, H - PAD + 14, esc(name), esc(shown)));
        }
        axes(sb, "", yLabel, 0, names.size(), 0, max, false);
        return sb.append("</svg>").toString();
    }

    private static StringBuilder header(String title) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' font-family='sans-serif'>", W, H));
        sb.append("<rect width='100%' height='100%' fill='white'/>");
        sb.append(String.format(Locale.ROOT, "<text x='%d' y='18' font-size='13' font-weight='bold'>%s</text>", PAD, esc(title)));
        return sb;
    }

    private static void axes(StringBuilder sb, String xLabel, String yLabel, double xmin, double xmax, double ymin, double ymax,
                             boolean xValues) {
        sb.append(String.format(Locale.ROOT, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#333'/>", PAD, H - PAD, W - PAD, H - PAD));
        sb.append(String.format(Locale.ROOT, "<line x1='%d' y1='%d' x2='%d' y2='%d' stroke='#333'/>", PAD, PAD, PAD, H - PAD));
        if (xValues) {
            sb.append(String.format(Locale.ROOT, "<text x='%d' y='%d' font-size='10'>%s</text>", PAD, H - PAD + 26, fmt(xmin)));
            sb.append(String.format(Locale.ROOT, "<text x='%d' y='%d' font-size='10' text-anchor='end'>%s</text>", W - PAD, H - PAD + 26, fmt(xmax)));
        }
        sb.append(String.format(Locale.ROOT, "<text x='%d' y='%d' font-size='10' text-anchor='end'>%s</text>", PAD - 4, H - PAD, fmt(ymin)));
        sb.append(String.format(Locale.ROOT, "<text x='%d' y='%d' font-size='10' text-anchor='end'>%s</text>", PAD - 4, PAD + 4, fmt(ymax)));
        sb.append(String.format(Locale.ROOT, "<text x='%d' y='%d' font-size='11' text-anchor='middle'>%s</text>", W / 2, H - 6, esc(xLabel)));
        sb.append(String.format(Locale.ROOT, "<text x='12' y='%d' font-size='11' transform='rotate(-90 12 %d)' text-anchor='middle'>%s</text>",
                H / 2, H / 2, esc(yLabel)));
    }

    private static double ty(double y, boolean log) {
        return log ? (y > 0 ? Math.log10(y) : Double.NaN) : y;
    }

    private static double px(double x, double lo, double hi) {
        return PAD + (W - 2.0 * PAD) * (x - lo) / (hi - lo);
    }

    private static double py(double y, double lo, double hi) {
        return H - PAD - (H - 2.0 * PAD) * (y - lo) / (hi - lo);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3g", v);
    }

    public static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;");
    }
}
