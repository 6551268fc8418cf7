package com.sensoranomaly.trainer;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads sensor history from CSV files: a header row, a time column, numeric feature columns.
 *
 * <ul>
 *   <li>Delimiter: {@code ;} or {@code ,}, detected from the header (or given).</li>
 *   <li>Time column: named datetime, timestamp, time or date (or given); values as
 *       {@code yyyy-MM-dd HH:mm:ss[.SSS]} (read as UTC), ISO-8601, or epoch seconds/milliseconds.</li>
 *   <li>Features: every other column, minus excluded ones and recognised label columns (anomaly,
 *       changepoint, label, is_anomaly), which are kept apart as labels; or exactly the columns given.</li>
 *   <li>Empty, {@code NaN}, {@code null} and {@code NA} cells are missing values (NaN); any other
 *       non-numeric cell in a feature column is an error naming file, line and column.</li>
 * </ul>
 */
public final class CsvHistory {

    public static final Set<String> LABEL_COLUMNS = Set.of("anomaly", "changepoint", "label", "is_anomaly");
    private static final Set<String> TIME_COLUMNS = Set.of("datetime", "timestamp", "time", "date", "event_time");
    private static final Set<String> MISSING = Set.of("", "nan", "null", "na", "n/a");
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSS][.SS][.S]");

    /** How to read: all optional. */
    public record Options(Optional<Character> delimiter, Optional<String> timeColumn, List<String> exclude,
                          List<String> features) {
        public static final Options DEFAULT = new Options(Optional.empty(), Optional.empty(), List.of(), List.of());
    }

    /** One file's content: times, rows (NaN = missing) in {@code features} order, and label columns. */
    public record File(Path path, List<String> features, long[] times, double[][] rows, Map<String, double[]> labels,
                       List<String> ignoredColumns) {
        public int size() {
            return times.length;
        }

        public Optional<double[]> label(String name) {
            return Optional.ofNullable(labels.get(name));
        }

        public long missingCells() {
            long n = 0;
            for (double[] r : rows) {
                for (double v : r) {
                    if (Double.isNaN(v)) {
                        n++;
                    }
                }
            }
            return n;
        }
    }

    private CsvHistory() {}

    /** Reads several files that must share one feature set. */
    public static List<File> readAll(List<Path> paths, Options options) {
        List<File> out = new ArrayList<>();
        for (Path p : paths) {
            File f = read(p, options);
            if (!out.isEmpty() && !out.get(0).features().equals(f.features())) {
                throw new DataException(p + ": its feature columns " + f.features() + " differ from "
                        + out.get(0).path() + "'s " + out.get(0).features());
            }
            out.add(f);
        }
        return out;
    }

    public static File read(Path path, Options options) {
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new DataException(path + ": no such file");
        } catch (IOException e) {
            throw new DataException(path + ": cannot read: " + e.getMessage());
        }
        if (lines.isEmpty() || lines.get(0).isBlank()) {
            throw new DataException(path + ": empty file (a header row is needed)");
        }
        String headerLine = stripBom(lines.get(0));
        char delimiter = options.delimiter().orElseGet(() -> detect(headerLine));
        String[] header = split(headerLine, delimiter);
        for (int i = 0; i < header.length; i++) {
            header[i] = unquote(header[i].trim());
        }

        int timeCol = -1;
        if (options.timeColumn().isPresent()) {
            timeCol = Arrays.asList(header).indexOf(options.timeColumn().get());
            if (timeCol < 0) {
                throw new DataException(path + ": no time column '" + options.timeColumn().get() + "' (columns: "
                        + String.join(", ", header) + ")");
            }
        } else {
            for (int i = 0; i < header.length; i++) {
                if (TIME_COLUMNS.contains(header[i].toLowerCase(Locale.ROOT))) {
                    timeCol = i;
                    break;
                }
            }
            if (timeCol < 0) {
                throw new DataException(path + ": no time column found (expected one named datetime, timestamp or time;"
                        + " or name it with --time-column)");
            }
        }
        List<Integer> featureCols = new ArrayList<>();
        Map<String, Integer> labelCols = new LinkedHashMap<>();
        List<String> ignored = new ArrayList<>();
        for (String name : options.features()) {
            if (!Arrays.asList(header).contains(name)) {
                throw new DataException(path + ": no column '" + name + "' given in --features");
            }
        }
        // Excluding a column a file does not have is fine: the same options serve labelled and unlabelled files.
        for (int i = 0; i < header.length; i++) {
            if (i == timeCol) {
                continue;
            }
            String name = header[i];
            boolean isLabel = LABEL_COLUMNS.contains(name.toLowerCase(Locale.ROOT));
            if (isLabel) {
                labelCols.put(name.toLowerCase(Locale.ROOT), i);
            }
            if (!options.features().isEmpty()) {
                if (options.features().contains(name)) {
                    featureCols.add(i);
                } else if (!isLabel) {
                    ignored.add(name);
                }
            } else if (options.exclude().contains(name)) {
                if (!isLabel) {
                    ignored.add(name);
                }
            } else if (!isLabel) {
                featureCols.add(i);
            }
        }
        if (featureCols.isEmpty()) {
            throw new DataException(path + ": no numeric feature columns (columns: " + String.join(", ", header) + ")");
        }
        List<String> features = featureCols.stream().map(i -> header[i]).toList();

        int n = 0;
        long[] times = new long[lines.size() - 1];
        double[][] rows = new double[lines.size() - 1][];
        Map<String, double[]> labels = new LinkedHashMap<>();
        labelCols.keySet().forEach(k -> labels.put(k, new double[lines.size() - 1]));
        for (int li = 1; li < lines.size(); li++) {
            String line = lines.get(li);
            if (line.isBlank()) {
                continue;
            }
            String[] cells = split(line, delimiter);
            if (cells.length < header.length) {
                throw new DataException(path + ":" + (li + 1) + ": " + cells.length + " cells, the header has " + header.length);
            }
            times[n] = parseTime(unquote(cells[timeCol].trim()), path, li + 1, header[timeCol]);
            double[] row = new double[features.size()];
            for (int j = 0; j < featureCols.size(); j++) {
                int c = featureCols.get(j);
                row[j] = parseNumber(cells[c], path, li + 1, header[c]);
            }
            rows[n] = row;
            for (Map.Entry<String, Integer> e : labelCols.entrySet()) {
                labels.get(e.getKey())[n] = parseNumber(cells[e.getValue()], path, li + 1, header[e.getValue()]);
            }
            n++;
        }
        final int size = n;
        labels.replaceAll((k, v) -> Arrays.copyOf(v, size));
        return new File(path, features, Arrays.copyOf(times, n), Arrays.copyOf(rows, n), labels, ignored);
    }

    private static double parseNumber(String raw, Path path, int line, String column) {
        String s = unquote(raw.trim());
        if (MISSING.contains(s.toLowerCase(Locale.ROOT))) {
            return Double.NaN;
        }
        try {
            double v = Double.parseDouble(s);
            return Double.isFinite(v) ? v : Double.NaN;
        } catch (NumberFormatException e) {
            throw new DataException(path + ":" + line + ": column '" + column + "' is not a number: '" + s + "'");
        }
    }

    static long parseTime(String s, Path path, int line, String column) {
        try {
            if (s.matches("-?\\d+(\\.\\d+)?")) {
                double v = Double.parseDouble(s);
                // Epoch seconds until the year 5138; milliseconds beyond.
                return v < 1e11 ? (long) (v * 1000) : (long) v;
            }
            if (s.contains("T")) {
                return s.endsWith("Z") || s.matches(".*[+-]\\d\\d:?\\d\\d$") ? Instant.parse(s).toEpochMilli()
                        : LocalDateTime.parse(s).toInstant(ZoneOffset.UTC).toEpochMilli();
            }
            return LocalDateTime.parse(s, LOCAL).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new DataException(path + ":" + line + ": column '" + column + "' is not a time: '" + s + "'");
        }
    }

    private static char detect(String header) {
        long semis = header.chars().filter(c -> c == ';').count();
        long commas = header.chars().filter(c -> c == ',').count();
        return semis >= commas && semis > 0 ? ';' : ',';
    }

    private static String[] split(String line, char delimiter) {
        if (line.indexOf('"') < 0) {
            return line.split(java.util.regex.Pattern.quote(String.valueOf(delimiter)), -1);
        }
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
                cur.append(c);
            } else if (c == delimiter && !quoted) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out.toArray(new String[0]);
    }

    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1).replace("\"\"", "\"") : s;
    }

    private static String stripBom(String s) {
        return s.startsWith("\uFEFF") ? s.substring(1) : s;
    }
}
