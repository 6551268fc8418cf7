package com.sensoranomaly.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A one-line progress bar redrawn with {@code \r}, for a person at a terminal only: in logs and pipes it is noise, so
 * {@link #onTerminal()} decides whether commands draw it.
 */
public final class Progress {
    private Progress() {}

    public static boolean onTerminal() {
        return System.console() != null;
    }

    /** Draws {@code [#####     ] done/total pct rate/s}. */
    public static void draw(PrintWriter err, long done, long total, long startedMillis) {
        int width = 30;
        int filled = (int) (width * done / Math.max(1, total));
        double secs = (System.currentTimeMillis() - startedMillis) / 1000.0;
        err.printf(Locale.ROOT, "\r[%s%s] %,d/%,d %5.1f%% %,.0f/s", "#".repeat(filled), " ".repeat(width - filled), done, total,
                100.0 * done / Math.max(1, total), done / Math.max(secs, 1e-3));
        err.flush();
    }
}
