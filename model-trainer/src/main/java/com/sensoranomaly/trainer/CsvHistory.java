package com.sensoranomaly.trainer;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads sensor history from CSV files: a header row, a time column, numeric feature columns.
 *
 * <p>The trainer learns from what this returns and the evaluation replays it, so both see the same rows,
 * the same features in the same order and the same labels. Rules:
 * <ul>
 *   <li>Delimiter: {@code ;}, {@code ,} or a tab, detected from the header (or given).</li>
 *   <li>Time column: the first named datetime, timestamp, time, date or event_time (case-insensitive), or the
 *       one given; values as {@code yyyy-MM-dd HH:mm:ss[.SSS]} (local time read as UTC), ISO-8601 with or
 *       without an offset, or epoch seconds / milliseconds (numbers below 10<sup>11</sup> are seconds).</li>
 *   <li>Features: every numeric column (one with at least one number in it) except the time column, the
 *       excluded ones and recognised label columns ({@link #LABEL_COLUMNS}, kept apart as labels); or exactly
 *       the columns given as features. Columns without a single number (names, status text) are not
 *       features and are reported in {@link File#nonNumericColumns()}.</li>
 *   <li>Empty, {@code NaN}, {@code null}, {@code NA} and {@code n/a} cells are missing values (NaN in the rows);
 *       any other non-numeric cell in a feature column is an error naming file, line and column, because
 *       silently dropping it would hide a broken export.</li>
 * </ul>
 */
public final class CsvHistory {

    /** Label columns recognised by name (case-insensitive): never features unless asked for explicitly. */
    public static final Set<String> LABEL_COLUMNS = Set.of("anomaly", "changepoint", "label", "is_anomaly");
    private static final List<String> TIME_COLUMNS = List.of("datetime", "timestamp", "time", "date", "event_time");
    private static final Set<String> MISSING = Set.of("", "nan", "null", "na", "n/a");
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSS][.SS][.S]");
    private static final Pattern EPOCH = Pattern.compile("-?\\d+(\\.\\d+)?");
    private static final Pattern ISO_OFFSET = Pattern.compile(".*([zZ]|[+-]\\d\\d(:?\\d\\d)?)$");
    /** Epoch numbers below this are seconds (until the year 5138), above it milliseconds (after March 1973). */
    private static final double EPOCH_SECONDS_LIMIT = 1e11;

    /**
     * How to read; every part optional.
     *
     * @param delimiter  the cell delimiter; empty = detected from the header
     * @param timeColumn the time column's name; empty = detected by name
     * @param exclude    columns that are not features (names a file does not have are ignored, so one set of
     *                   options serves labelled and unlabelled files)
     * @param features   exactly these feature columns, in this order; empty = every numeric column
     */
    public record Options(Optional<Character> delimiter, Optional<String> timeColumn, List<String> exclude,
                          List<String> features) {
        public static final Options DEFAULT = new Options(Optional.empty(), Optional.empty(), List.of(), List.of());

        public Options {
            exclude = List.copyOf(exclude);
            features = List.copyOf(features);
        }
    }

    /**
     * One file's content.
     *
     * @param features          feature names, in the order of the values in each row
     * @param times             event time of each row, epoch milliseconds
     * @param rows              rows × features, NaN where a cell was missing
     * @param labels            label columns by lower-case name ("anomaly", "changepoint", ...), one value per row
     * @param ignoredColumns    columns that are neither time, label nor feature (excluded, not selected, or not numeric)
     * @param nonNumericColumns the subset of {@code ignoredColumns} left out because they hold no number
     */
    public record File(Path path, List<String> features, long[] times, double[][] rows, Map<String, double[]> labels,
                       List<String> ignoredColumns, List<String> nonNumericColumns) {

        /** A file built in memory (tests, generated history): no columns were left out as non-numeric. */
        public File(Path path, List<String> features, long[] times, double[][] rows, Map<String, double[]> labels,
                    List<String> ignoredColumns) {
            this(path, features, times, rows, labels, ignoredColumns, List.of());
        }

        public File {
            features = List.copyOf(features);
            labels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(labels));
            ignoredColumns = List.copyOf(ignoredColumns);
            nonNumericColumns = List.copyOf(nonNumericColumns);
            if (times.length != rows.length) {
                throw new IllegalArgumentException(path + ": " + times.length + " times for " + rows.length + " rows");
            }
        }

        public int size() {
            return times.length;
        }

        /** A label column by name ("anomaly", "changepoint", ...), if the file has it. */
        public Optional<double[]> label(String name) {
            return Optional.ofNullable(labels.get(name.toLowerCase(Locale.ROOT)));
        }

        /** Number of missing feature cells. */
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

    /** Reads several files that must share one feature set (same names, same order). */
    public static List<File> readAll(List<Path> paths, Options options) {
        if (paths.isEmpty()) {
            throw new DataException("no input files");
        }
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
        List<String> lines = lines(path);
        if (lines.isEmpty() || lines.get(0).isBlank()) {
            throw new DataException(path + ": empty file (a header row is needed)");
        }
        String headerLine = stripBom(lines.get(0));
        char delimiter = options.delimiter().orElseGet(() -> detect(headerLine));
        String[] header = split(headerLine, delimiter);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < header.length; i++) {
            header[i] = unquote(header[i].trim());
            if (!header[i].isEmpty() && !seen.add(header[i])) {
                throw new DataException(path + ":1: column '" + header[i] + "' appears twice in the header");
            }
        }
        List<String> names = Arrays.asList(header);
        int timeCol = timeColumn(path, names, options.timeColumn());
        Set<String> given = new HashSet<>();
        for (String name : options.features()) {
            if (!names.contains(name)) {
                throw new DataException(path + ": no column '" + name + "' (given in --features; columns: "
                        + String.join(", ", names) + ")");
            }
            if (names.indexOf(name) == timeCol) {
                throw new DataException(path + ": column '" + name + "' is the time column and cannot be a feature");
            }
            if (!given.add(name)) {
                throw new DataException("column '" + name + "' is given twice in --features");
            }
        }

        // Which columns could be features, and which are labels.
        int columns = header.length;
        boolean[] candidate = new boolean[columns];
        Map<String, Integer> labelCols = new LinkedHashMap<>();
        List<String> ignored = new ArrayList<>();
        for (int i = 0; i < columns; i++) {
            if (i == timeCol) {
                continue;
            }
            String name = header[i];
            if (name.isEmpty()) {
                // An unnamed column (a spreadsheet's row index, a trailing delimiter) cannot be named in --exclude.
                ignored.add("(unnamed column " + (i + 1) + ")");
                continue;
            }
            boolean isLabel = LABEL_COLUMNS.contains(name.toLowerCase(Locale.ROOT));
            if (isLabel) {
                labelCols.put(name.toLowerCase(Locale.ROOT), i);
            }
            boolean wanted = options.features().isEmpty()
                    ? !isLabel && !options.exclude().contains(name)
                    : options.features().contains(name);
            if (wanted) {
                candidate[i] = true;
            } else if (!isLabel) {
                ignored.add(name);
            }
        }

        // One pass: parse every candidate and label cell; remember each column's first non-numeric cell, so a
        // text column can be recognised as such and a stray word in a numeric column reported where it is.
        int capacity = lines.size() - 1;
        long[] times = new long[capacity];
        double[][] values = new double[columns][];
        boolean[] anyNumber = new boolean[columns];
        int[] badLine = new int[columns];
        String[] badText = new String[columns];
        for (int i = 0; i < columns; i++) {
            if (candidate[i] || labelCols.containsValue(i)) {
                values[i] = new double[capacity];
            }
        }
        int n = 0;
        for (int li = 1; li < lines.size(); li++) {
            String line = lines.get(li);
            if (line.isBlank()) {
                continue;
            }
            int lineNo = li + 1;
            String[] cells = split(line, delimiter);
            if (cells.length < columns) {
                throw new DataException(path + ":" + lineNo + ": " + cells.length + " cells, the header has " + columns);
            }
            times[n] = parseTime(unquote(cells[timeCol].trim()), path, lineNo, header[timeCol]);
            for (int c = 0; c < columns; c++) {
                if (values[c] == null) {
                    continue;
                }
                String s = unquote(cells[c].trim());
                double v = Double.NaN;
                if (!MISSING.contains(s.toLowerCase(Locale.ROOT))) {
                    double parsed = looksNumeric(s) ? parse(s) : Double.NaN;
                    if (Double.isNaN(parsed)) {
                        if (badText[c] == null) {
                            badText[c] = s;
                            badLine[c] = lineNo;
                        }
                    } else if (Double.isFinite(parsed)) {
                        v = parsed;
                        anyNumber[c] = true;
                    } // else ±Infinity: no usable measurement, kept as a missing cell
                }
                values[c][n] = v;
            }
            n++;
        }

        List<Integer> featureCols = new ArrayList<>();
        List<String> nonNumeric = new ArrayList<>();
        List<Integer> order = options.features().isEmpty() ? allColumns(columns)
                : options.features().stream().map(names::indexOf).toList();
        for (int c : order) {
            if (!candidate[c]) {
                continue;
            }
            boolean explicit = !options.features().isEmpty();
            if (!explicit && !anyNumber[c]) {
                // No number at all: an identifier or status column, not a measurement.
                nonNumeric.add(header[c]);
                ignored.add(header[c]);
                continue;
            }
            if (badText[c] != null) {
                throw notANumber(path, badLine[c], header[c], badText[c]);
            }
            featureCols.add(c);
        }
        for (int c : labelCols.values()) {
            if (badText[c] != null) {
                throw notANumber(path, badLine[c], header[c], badText[c]);
            }
        }
        if (featureCols.isEmpty()) {
            throw new DataException(path + ": no numeric feature columns (columns: " + String.join(", ", names)
                    + (nonNumeric.isEmpty() ? "" : "; not numeric: " + String.join(", ", nonNumeric)) + ")");
        }
        if (n == 0) {
            throw new DataException(path + ": no data rows after the header");
        }

        List<String> features = featureCols.stream().map(c -> header[c]).toList();
        double[][] rows = new double[n][featureCols.size()];
        for (int j = 0; j < featureCols.size(); j++) {
            double[] column = values[featureCols.get(j)];
            for (int r = 0; r < n; r++) {
                rows[r][j] = column[r];
            }
        }
        Map<String, double[]> labels = new LinkedHashMap<>();
        for (Map.Entry<String, Integer> e : labelCols.entrySet()) {
            labels.put(e.getKey(), Arrays.copyOf(values[e.getValue()], n));
        }
        return new File(path, features, Arrays.copyOf(times, n), rows, labels, ignored, nonNumeric);
    }

    private static List<String> lines(Path path) {
        try {
            return Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new DataException(path + ": no such file");
        } catch (MalformedInputException e) {
            throw new DataException(path + ": not a UTF-8 text file");
        } catch (IOException e) {
            throw new DataException(path + ": cannot read: " + e.getMessage());
        }
    }

    private static int timeColumn(Path path, List<String> names, Optional<String> given) {
        if (given.isPresent()) {
            String want = given.get();
            int exact = names.indexOf(want);
            if (exact >= 0) {
                return exact;
            }
            for (int i = 0; i < names.size(); i++) {
                if (names.get(i).equalsIgnoreCase(want)) {
                    return i;
                }
            }
            throw new DataException(path + ": no time column '" + want + "' (columns: " + String.join(", ", names) + ")");
        }
        for (String candidate : TIME_COLUMNS) {
            for (int i = 0; i < names.size(); i++) {
                if (names.get(i).equalsIgnoreCase(candidate)) {
                    return i;
                }
            }
        }
        throw new DataException(path + ": no time column found (expected one named " + String.join(", ", TIME_COLUMNS)
                + "; or name it with --time-column; columns: " + String.join(", ", names) + ")");
    }

    private static List<Integer> allColumns(int n) {
        List<Integer> all = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            all.add(i);
        }
        return all;
    }

    /** Cheap first test, so a text column costs no exception per cell: Java numbers start like this. */
    private static boolean looksNumeric(String s) {
        char c = s.charAt(0);
        return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'I';
    }

    /** The number, or NaN if the cell is not one. */
    private static double parse(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static DataException notANumber(Path path, int line, String column, String text) {
        return new DataException(path + ":" + line + ": column '" + column + "' is not a number: '" + text + "'");
    }

    static long parseTime(String s, Path path, int line, String column) {
        try {
            if (EPOCH.matcher(s).matches()) {
                double v = Double.parseDouble(s);
                return v < EPOCH_SECONDS_LIMIT ? Math.round(v * 1000) : Math.round(v);
            }
            String iso = s.replace(' ', 'T');
            if (ISO_OFFSET.matcher(iso).matches() && iso.indexOf('T') > 0) {
                return Instant.parse(iso).toEpochMilli();
            }
            if (s.indexOf('T') > 0) {
                return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC).toEpochMilli();
            }
            return LocalDateTime.parse(s, LOCAL).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new DataException(path + ":" + line + ": column '" + column + "' is not a time: '" + s
                    + "' (expected yyyy-MM-dd HH:mm:ss, ISO-8601 or epoch seconds/milliseconds)");
        }
    }

    private static char detect(String header) {
        long semis = header.chars().filter(c -> c == ';').count();
        long commas = header.chars().filter(c -> c == ',').count();
        long tabs = header.chars().filter(c -> c == '\t').count();
        if (semis == 0 && commas == 0 && tabs > 0) {
            return '\t';
        }
        return semis >= commas && semis > 0 ? ';' : ',';
    }

    private static String[] split(String line, char delimiter) {
        if (line.indexOf('"') < 0) {
            return line.split(Pattern.quote(String.valueOf(delimiter)), -1);
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
